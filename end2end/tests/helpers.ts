import { expect, Page } from "@playwright/test";

export const PASSWORD = "Correct-h0rse-battery";

/** An email address no other test uses. */
export function uniqueEmail(tag: string): string {
  return `${tag}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
}

/** Waits until the wasm has taken over the server-rendered page. */
export async function hydrated(page: Page): Promise<void> {
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}

/** Signs up a new account through the form and returns its account ID. */
export async function signUp(page: Page, email: string, accountName = "Acme"): Promise<string> {
  await page.goto("/signup");
  await hydrated(page);
  await page.getByLabel("Root user email address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Confirm password").fill(PASSWORD);
  await page.getByLabel("Account name").fill(accountName);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { name: "IAM Dashboard" })).toBeVisible();
  const id = (await page.getByTestId("account-id").textContent()) ?? "";
  expect(id).toMatch(/^\d{12}$/);
  return id;
}

export async function signOut(page: Page): Promise<void> {
  await page.locator(".identity-menu summary").click();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin$/);
}

export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto("/signin");
  await hydrated(page);
  await page.getByLabel("Root user email address").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}
