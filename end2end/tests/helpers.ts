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
