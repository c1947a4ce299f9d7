// CommonJS, so both the TypeScript tests and plain Node scripts can load it.
// A page's first load, measured from Chromium's network log: the bytes on the wire (compressed,
// as served, headers included) of everything it fetched until it was interactive (hydrated,
// <body data-hydrated>) and the network went quiet, and how long until it was interactive.

/** 1.6 Mbit/s down and up, 150 ms round trip: issue 15's slow link. */
const SLOW_LINK = { offline: false, latency: 150, downloadThroughput: 200_000, uploadThroughput: 200_000 };

/** Loads `path` in a fresh page of `context` (cold: give it a new context each time). */
async function measureFirstLoad(context, path, { throttle = false } = {}) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  if (throttle) await cdp.send("Network.emulateNetworkConditions", SLOW_LINK);
  const urls = new Map();
  const files = {};
  let bytes = 0;
  cdp.on("Network.requestWillBeSent", (e) => urls.set(e.requestId, e.request.url));
  cdp.on("Network.loadingFinished", (e) => {
    bytes += e.encodedDataLength;
    const name = new URL(urls.get(e.requestId) ?? "about:blank").pathname;
    files[name] = (files[name] ?? 0) + e.encodedDataLength;
  });
  const started = performance.now();
  await page.goto(path, { waitUntil: "commit" });
  await page.waitForSelector("body[data-hydrated=true]", { timeout: 120_000 });
  const interactiveMs = Math.round(performance.now() - started);
  await page.waitForLoadState("networkidle");
  await page.close();
  return { path, bytes, interactiveMs, files };
}

module.exports = { SLOW_LINK, measureFirstLoad };
