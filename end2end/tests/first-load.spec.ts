import { expect, Page, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { measureFirstLoad } from "../first-load.js";
import { hydrated, signUp, uniqueEmail } from "./helpers";

const WASM = /\/pkg\/[^/]+\.wasm$/;

/** Holds the page's wasm back until the returned function is called. */
async function holdWasm(page: Page): Promise<() => void> {
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(WASM, async (route) => {
    await held;
    await route.continue();
  });
  return release;
}

test("a choice made before the wasm arrives is kept once the page hydrates", async ({ page }) => {
  const release = await holdWasm(page);
  await page.goto("/signin", { waitUntil: "domcontentloaded" });
  await expect(page.locator("body")).not.toHaveAttribute("data-hydrated", "true");
  await page.getByLabel("IAM user").check();
  release();
  await hydrated(page);
  await expect(page.getByLabel("IAM user name")).toBeVisible();
  await expect(page.getByLabel("Root user email address")).toHaveCount(0);
});

test("a button clicked again and again before the wasm arrives acts once, after it does", async ({ page }) => {
  await signUp(page, uniqueEmail("early"), "Early clicks");
  const release = await holdWasm(page);
  await page.goto("/security-credentials", { waitUntil: "domcontentloaded" });
  const create = page.getByRole("button", { name: "Create access key" });
  await create.click();
  await create.click();
  await expect(page.getByTestId("new-access-key")).toHaveCount(0);
  release();
  await hydrated(page);
  await expect(page.getByTestId("new-key-secret")).toHaveText(/^.{40}$/);
  await expect(page.getByTestId("access-keys").locator("tbody tr")).toHaveCount(1);
});

test("the account menu is a button that closes on a choice, a click elsewhere and Escape", async ({ page }) => {
  await signUp(page, uniqueEmail("menu"), "Menu test");
  const button = page.getByRole("button", { name: /root @ Menu test/ });
  const panel = page.locator(".identity-panel");
  await expect(button).toHaveAttribute("aria-expanded", "false");

  await button.click();
  await expect(button).toHaveAttribute("aria-expanded", "true");
  await expect(panel).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(panel).toBeHidden();
  await expect(button).toBeFocused();
  await expect(button).toHaveAttribute("aria-expanded", "false");

  await button.click();
  await expect(panel).toBeVisible();
  await page.getByRole("heading", { name: "IAM Dashboard" }).click();
  await expect(panel).toBeHidden();

  await button.click();
  await panel.getByRole("link", { name: "Security credentials" }).click();
  await expect(page).toHaveURL(/\/security-credentials$/);
  await expect(panel).toBeHidden();
  await expect(page.getByRole("button", { name: "Assign MFA device" })).toBeVisible();
});

test("every page hydrates when it is loaded directly", async ({ page }) => {
  await signUp(page, uniqueEmail("direct"), "Direct loads");
  await page.goto("/identity-providers/create");
  await hydrated(page);
  await page.getByLabel("Provider URL").fill("https://direct.example.com");
  await page.getByLabel("Audience").fill("direct-app");
  await page.getByRole("button", { name: "Add provider" }).click();
  await expect(page.getByRole("heading", { name: "https://direct.example.com" })).toBeVisible();
  const provider = page.url();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`${page.url()}: ${e.message}`));
  for (const path of [
    "/", "/users", "/users/create", "/groups", "/groups/create", "/security-credentials", "/account-settings",
    "/roles", "/roles/create", "/switch-role", "/identity-providers", "/identity-providers/create", provider,
    "/policies", "/policies/create", "/policies/view?arn=arn:aws:iam::aws:policy/AdministratorAccess",
    "/simulator", "/event-history",
    "/billing", "/billing/notifications", "/billing/budgets", "/billing/budgets/create",
  ]) {
    await page.goto(path);
    await hydrated(page);
  }
  expect(errors).toEqual([]);
});

// Budgets for the compressed first load of each page (end2end/budgets.json): a page that grows
// past its budget fails here.
test("each page's first load stays within its budget", async ({ browser, page }) => {
  const budgets = JSON.parse(readFileSync(join(__dirname, "..", "budgets.json"), "utf8"));
  await signUp(page, uniqueEmail("budget"), "Budget test");
  const signedIn = await page.context().storageState();
  const over: string[] = [];
  for (const [path, budget] of Object.entries(budgets.limits) as [string, number][]) {
    const context = await browser.newContext({ storageState: path === "/signin" ? undefined : signedIn });
    const load = await measureFirstLoad(context, path);
    await context.close();
    test.info().annotations.push({ type: "first load", description: `${path}: ${load.bytes} bytes` });
    if (load.bytes > budget) over.push(`${path}: ${load.bytes} bytes, budget ${budget} (${JSON.stringify(load.files)})`);
  }
  expect(over).toEqual([]);
});
