// The first load of console pages in Chromium: bytes on the wire (compressed, as served) and the
// time until the page is interactive (hydrated: <body data-hydrated>), on an optionally throttled
// network. Used by `scripts/bench.sh web` (throttled) and by the bundle budget check in tests.
//   node web-load.mjs --base-url URL --email E --password P [--throttle] [--runs N] [--json]
import { chromium } from "@playwright/test";
import firstLoad from "./first-load.js";

const { measureFirstLoad } = firstLoad;

const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const baseURL = option("base-url", "http://127.0.0.1:3000");
const email = option("email");
const password = option("password");
const runs = Number(option("runs", "3"));
const PAGES = [
  { name: "sign-in", path: "/signin", signedIn: false },
  { name: "dashboard", path: "/", signedIn: true },
  { name: "users", path: "/users", signedIn: true },
  { name: "roles", path: "/roles", signedIn: true },
  { name: "policy editor", path: "/policies/create", signedIn: true },
  { name: "budgets", path: "/billing/budgets", signedIn: true },
];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run"],
});

async function signedInState() {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await page.goto("/signin");
  await page.waitForSelector("body[data-hydrated=true]");
  await page.getByLabel("Root user email address").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "IAM Dashboard" }).waitFor();
  const state = await context.storageState();
  await context.close();
  return state;
}

/** One cold load: a new context, so nothing is cached. */
async function load(path, storageState, throttle) {
  const context = await browser.newContext({ baseURL, storageState });
  const result = await measureFirstLoad(context, path, { throttle });
  await context.close();
  return { bytes: result.bytes, interactive: result.interactiveMs, files: result.files };
}

const state = email ? await signedInState() : undefined;
const results = [];
for (const { name, path, signedIn } of PAGES) {
  if (signedIn && !state) continue;
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(await load(path, signedIn ? state : undefined, flag("throttle")));
  const times = samples.map((s) => s.interactive).sort((a, b) => a - b);
  results.push({
    page: name,
    path,
    bytes: Math.max(...samples.map((s) => s.bytes)),
    interactiveMedianMs: times[Math.floor(times.length / 2)],
    files: samples[0].files,
  });
}
await browser.close();
if (flag("json")) {
  console.log(JSON.stringify(results));
} else {
  console.log(`first load${flag("throttle") ? " at 1.6 Mbit/s, 150 ms RTT" : ""}, ${runs} cold runs per page`);
  console.log("page            path                 KB on the wire   time to interactive (median)");
  for (const r of results) {
    console.log(`${r.page.padEnd(16)}${r.path.padEnd(21)}${(r.bytes / 1000).toFixed(1).padStart(14)}   ${String(r.interactiveMedianMs).padStart(8)} ms`);
  }
}
