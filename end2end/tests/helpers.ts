import { createHmac } from "node:crypto";
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

/** RFC 4648 base32 (no padding), as authenticator apps take a typed secret. */
function base32Decode(text: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const c of text.replace(/=+$/, "").toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The RFC 6238 code (SHA-1, 6 digits, 30 s) for `step`, computed here from the shared secret. */
export function totp(secret: string, step: number): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", base32Decode(secret)).update(message).digest();
  const offset = mac[mac.length - 1] & 0xf;
  return ((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).toString().padStart(6, "0");
}

export function currentStep(): number {
  return Math.floor(Date.now() / 1000 / 30);
}

/** Assigns a virtual MFA device on the security credentials page; returns its secret and recovery codes. */
export async function enrol(page: Page): Promise<{ secret: string; recovery: string[] }> {
  await page.goto("/security-credentials");
  await hydrated(page);
  await expect(page.getByTestId("no-mfa")).toBeVisible();
  await page.getByRole("button", { name: "Assign MFA device" }).click();
  await page.getByLabel("Device name").fill("my-phone");
  await page.getByRole("button", { name: "Next" }).click();
  // The QR code is an SVG drawn by the console itself.
  await expect(page.locator(".qr svg")).toBeVisible();
  await page.getByRole("button", { name: "Show secret key" }).click();
  const secret = (await page.getByTestId("mfa-secret").textContent()) ?? "";
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  // Two consecutive codes, the later one already past, so the next sign-in code is new.
  const step = currentStep();
  await page.getByLabel("MFA code 1").fill(totp(secret, step - 2));
  await page.getByLabel("MFA code 2").fill(totp(secret, step - 1));
  await page.getByRole("button", { name: "Add MFA" }).click();
  const codes = page.getByTestId("recovery-codes").locator("li");
  await expect(codes).toHaveCount(10);
  const recovery = await codes.allTextContents();
  await page.getByRole("button", { name: "Done" }).click();
  await expect(page.getByRole("cell", { name: "my-phone", exact: true })).toBeVisible();
  return { secret, recovery };
}

export type Permissions = { groups?: string[]; policies?: string[] };

/** Walks the create-user wizard; returns the result page's text. */
export async function createUser(page: Page, name: string, password: string | null, permissions: Permissions = {}): Promise<void> {
  await page.goto("/users/create");
  await hydrated(page);
  await page.getByLabel("User name").fill(name);
  if (password) {
    await page.getByLabel("Provide user access to the console").check();
    await page.getByLabel("Custom password").check();
    await page.getByLabel("Password", { exact: true }).fill(password);
    await page.getByLabel("Users must create a new password at next sign-in").uncheck();
  }
  await page.getByRole("button", { name: "Next" }).click();
  if (permissions.policies) {
    await page.getByLabel("Attach policies directly").check();
    for (const policy of permissions.policies) {
      await page.getByLabel("Permissions policies").fill(policy);
      await page.getByLabel(policy, { exact: true }).check();
    }
  }
  for (const group of permissions.groups ?? []) {
    await page.getByLabel(group, { exact: true }).check();
  }
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByTestId("review")).toContainText(name);
  await page.getByRole("button", { name: "Create user" }).click();
}

export async function signInAsUser(page: Page, account: string, user: string, password: string): Promise<void> {
  await page.goto(`/signin/${account}`);
  await hydrated(page);
  await page.getByLabel("IAM user name").fill(user);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Opens a tab of a page: its buttons answer once the page's part has hydrated, which may
 * come a moment after the body's mark, so the click is repeated until the tab is selected. */
export async function selectTab(page: Page, name: string): Promise<void> {
  const tab = page.getByRole("tab", { name });
  await expect(async () => {
    await tab.click();
    await expect(tab).toHaveAttribute("aria-selected", "true", { timeout: 500 });
  }).toPass();
}
