import { expect, test } from "@playwright/test";
import { hydrated, PASSWORD, signIn, signOut, signUp, uniqueEmail } from "./helpers";

test("a password policy is enforced when the password changes", async ({ page }) => {
  const email = uniqueEmail("policy");
  await signUp(page, email);

  await page.goto("/account-settings");
  await hydrated(page);
  await expect(page.getByTestId("policy-summary")).toContainText("default password policy");
  await page.getByRole("button", { name: "Edit" }).click();
  await page.getByLabel("Minimum password length").fill("14");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("status")).toHaveText("Password policy updated.");
  await expect(page.getByTestId("policy-summary")).toContainText("14 characters");

  await page.goto("/security-credentials");
  await hydrated(page);
  await page.getByRole("button", { name: "Change password" }).click();
  await page.getByLabel("Current password").fill(PASSWORD);
  await page.getByLabel("New password", { exact: true }).fill("Short-pass1");
  await page.getByLabel("Confirm new password").fill("Short-pass1");
  await page.locator("form").getByRole("button", { name: "Change password" }).click();
  await expect(page.locator("#field-new_password-messages")).toContainText("at least 14 characters");

  // Long enough and every character type, but a dictionary word with digits: refused.
  await page.getByLabel("New password", { exact: true }).fill("Password12345!");
  await page.getByLabel("Confirm new password").fill("Password12345!");
  await page.locator("form").getByRole("button", { name: "Change password" }).click();
  await expect(page.locator("#field-new_password-messages")).toContainText("password is easy to guess");

  const better = "Copper-Kettle-Sings-93";
  await page.getByLabel("New password", { exact: true }).fill(better);
  await page.getByLabel("Confirm new password").fill(better);
  await page.locator("form").getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("status")).toHaveText("Password changed.");

  await signOut(page);
  await signIn(page, email, PASSWORD);
  await expect(page.getByRole("alert")).toBeVisible();
  await signIn(page, email, better);
  await expect(page.getByRole("heading", { name: "IAM Dashboard" })).toBeVisible();
});

test("repeated failures lock sign-in, and the lock lifts after the wait", async ({ page }) => {
  const email = uniqueEmail("lockout");
  await signUp(page, email);
  await signOut(page);
  // The test server allows 5 failures, then waits 3 seconds.
  for (let i = 0; i < 5; i++) {
    await signIn(page, email, `Wrong-password-${i}`);
    await expect(page.getByRole("alert")).toContainText("authentication information is incorrect");
  }
  await signIn(page, email, PASSWORD);
  await expect(page.getByRole("alert")).toContainText("too many failed attempts");
  await page.waitForTimeout(3500);
  await signIn(page, email, PASSWORD);
  await expect(page.getByRole("heading", { name: "IAM Dashboard" })).toBeVisible();
});
