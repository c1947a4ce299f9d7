import { expect, Page, test } from "@playwright/test";
import { currentStep, enrol, hydrated, PASSWORD, signIn, signOut, signUp, totp, uniqueEmail } from "./helpers";

async function mfaStep(page: Page, email: string): Promise<void> {
  await signIn(page, email, PASSWORD);
  await expect(page).toHaveURL(/\/signin\/mfa$/);
  await hydrated(page);
}

test("assign a virtual MFA device, then sign in with it; wrong and replayed codes are refused", async ({ page }) => {
  const email = uniqueEmail("mfa");
  await signUp(page, email);
  const { secret } = await enrol(page);
  await signOut(page);

  await mfaStep(page, email);
  await page.getByLabel("MFA code").fill(totp(secret, currentStep() + 5));
  await page.getByRole("button", { name: "Submit" }).click();
  await expect(page.getByRole("alert")).toContainText("MFA code is not valid");

  const code = totp(secret, currentStep());
  await page.getByLabel("MFA code").fill(code);
  await page.getByRole("button", { name: "Submit" }).click();
  await expect(page.getByRole("heading", { name: "IAM Dashboard" })).toBeVisible();
  await signOut(page);

  // The same code again: refused, even though it is still current.
  await mfaStep(page, email);
  await page.getByLabel("MFA code").fill(code);
  await page.getByRole("button", { name: "Submit" }).click();
  await expect(page.getByRole("alert")).toContainText("already used");
  await expect(page).toHaveURL(/\/signin\/mfa$/);

  // The console is closed until the second step succeeds.
  await page.goto("/");
  await expect(page).toHaveURL(/\/signin$/);
});

test("a recovery code signs in once, and removing the device needs a current code", async ({ page }) => {
  const email = uniqueEmail("recovery");
  await signUp(page, email);
  const { secret, recovery } = await enrol(page);
  await signOut(page);

  await mfaStep(page, email);
  await page.getByRole("button", { name: "Use a recovery code" }).click();
  await page.getByLabel("Recovery code").fill(recovery[0]);
  await page.getByRole("button", { name: "Submit" }).click();
  await expect(page.getByRole("heading", { name: "IAM Dashboard" })).toBeVisible();
  await signOut(page);

  await mfaStep(page, email);
  await page.getByRole("button", { name: "Use a recovery code" }).click();
  await page.getByLabel("Recovery code").fill(recovery[0]);
  await page.getByRole("button", { name: "Submit" }).click();
  await expect(page.getByRole("alert")).toContainText("MFA code is not valid");
  await page.getByLabel("Recovery code").fill(recovery[1]);
  await page.getByRole("button", { name: "Submit" }).click();
  await expect(page.getByRole("heading", { name: "IAM Dashboard" })).toBeVisible();

  await page.goto("/security-credentials");
  await hydrated(page);
  const code = page.getByLabel("MFA code to remove my-phone");
  await code.fill("000000");
  await page.getByRole("button", { name: "Remove" }).click();
  await expect(page.locator(".field-messages").last()).toContainText("not valid");
  await code.fill(totp(secret, currentStep() + 1));
  await page.getByRole("button", { name: "Remove" }).click();
  await expect(page.getByTestId("no-mfa")).toBeVisible();

  // Without a device, sign-in needs only the password again.
  await signOut(page);
  await signIn(page, email, PASSWORD);
  await expect(page.getByRole("heading", { name: "IAM Dashboard" })).toBeVisible();
});
