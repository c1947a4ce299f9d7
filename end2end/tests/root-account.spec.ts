import { expect, test } from "@playwright/test";
import { hydrated, PASSWORD, signIn, signOut, signUp, uniqueEmail } from "./helpers";

const GENERIC = "Your authentication information is incorrect. Please try again.";

test("sign up, see the account, copy its ID, sign out and back in", async ({ page, context, baseURL }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const email = uniqueEmail("root");
  const accountId = await signUp(page, email, "Acme prod");

  // The dashboard: account ID, the IAM users' sign-in link, and no region.
  await expect(page.getByTestId("signin-url")).toHaveText(`${baseURL}/signin/${accountId}`);
  await expect(page.locator(".region")).toHaveText("Global");
  await expect(page.locator(".identity-menu summary")).toContainText("root @ Acme prod");

  // The copy button works, so the page is hydrated and interactive.
  const copy = page.getByRole("button", { name: "Copy account ID" }).first();
  await copy.click();
  await expect(copy).toContainText("Copied");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(accountId);
  await page.getByRole("button", { name: "Copy sign-in URL" }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${baseURL}/signin/${accountId}`);

  // Sign out: the console is closed until signing in again.
  await signOut(page);
  await page.goto("/");
  await expect(page).toHaveURL(/\/signin$/);

  await signIn(page, email, PASSWORD);
  await expect(page.getByRole("heading", { name: "IAM Dashboard" })).toBeVisible();
  await expect(page.getByTestId("account-id")).toHaveText(accountId);
});

test("a wrong password and an unknown email get the same generic refusal", async ({ page }) => {
  const email = uniqueEmail("refused");
  await signUp(page, email);
  await signOut(page);

  await signIn(page, email, "Wrong-password-1");
  await expect(page.getByRole("alert")).toHaveText(GENERIC);
  await expect(page).toHaveURL(/\/signin$/);

  await signIn(page, uniqueEmail("nobody"), PASSWORD);
  await expect(page.getByRole("alert")).toHaveText(GENERIC);

  await page.goto("/");
  await expect(page).toHaveURL(/\/signin$/);
});

test("sign-up explains every broken rule under its field and creates nothing", async ({ page }) => {
  const email = uniqueEmail("invalid");
  await page.goto("/signup");
  await hydrated(page);
  await page.getByLabel("Root user email address").fill(email);
  const password = page.getByLabel("Password", { exact: true });
  await password.fill("weakpass");
  // The rules are checked as the person types, by the same engine the server uses.
  await expect(page.locator("#field-password-messages")).toContainText("at least three of");
  await page.getByLabel("Confirm password").fill("weakpasS");
  await page.getByLabel("Account name").fill("Acme");
  await page.getByRole("button", { name: "Create account" }).click();

  await expect(page.locator("#field-password-messages")).toContainText("at least three of");
  // The server's message replaces the live one; it is not shown twice.
  await expect(page.locator("#field-password-messages li")).toHaveCount(1);
  await expect(page.locator("#field-password_confirm-messages")).toHaveText("passwords do not match");
  await expect(page.getByLabel("Password", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await expect(page).toHaveURL(/\/signup$/);

  // Nothing was created: this email cannot sign in.
  await signIn(page, email, "weakpass");
  await expect(page.getByRole("alert")).toHaveText(GENERIC);
});

test("signed-in people skip the sign-in page, and unknown pages say so", async ({ page }) => {
  await signUp(page, uniqueEmail("skip"));
  await page.goto("/signin");
  await expect(page).toHaveURL(/\/$/);
  const response = await page.goto("/no-such-page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
});
