import { execFileSync } from "node:child_process";
import { expect, test } from "@playwright/test";
import { hydrated, signOut, signUp, uniqueEmail } from "./helpers";

const GENERIC = "Your authentication information is incorrect. Please try again.";

/** Creates an IAM user with the admin command, as a script would. */
function createUser(account: string, user: string, password: string, requireReset: boolean): string {
  const bin = process.env.SERVER_BIN;
  if (!bin) throw new Error("SERVER_BIN must name the server binary (scripts/test.sh sets it)");
  const args = ["user", "create", "--account", account, "--user", user, "--password-stdin"];
  if (requireReset) args.push("--require-reset");
  return execFileSync(bin, args, { input: password, env: process.env }).toString().trim();
}

test("an IAM user signs in through the account's sign-in link and must set a new password first", async ({ page }) => {
  const account = await signUp(page, uniqueEmail("owner"), "Team");
  expect(createUser(account, "alice", "Initial-Harbor-7-Lantern", true)).toBe(`arn:aws:iam::${account}:user/alice`);
  await signOut(page);

  await page.goto(`/signin/${account}`);
  await hydrated(page);
  await expect(page.getByRole("radio", { name: /IAM user/ })).toBeChecked();
  await expect(page.getByLabel("Account ID (12 digits) or account alias")).toHaveValue(account);
  await page.getByLabel("IAM user name").fill("alice");
  await page.getByLabel("Password").fill("Wrong-passw0rd");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText(GENERIC);

  await page.getByLabel("Password").fill("Initial-Harbor-7-Lantern");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/change-password$/);
  // Nothing else opens until the password is changed.
  await page.goto("/");
  await expect(page).toHaveURL(/\/change-password$/);
  await hydrated(page);

  await page.getByLabel("Old password").fill("Initial-Harbor-7-Lantern");
  await page.getByLabel("New password", { exact: true }).fill("weakpassword");
  // Checked as it is typed, before anything is sent.
  await expect(page.locator("#field-new_password-messages")).toContainText("at least three of");
  await page.getByLabel("Retype new password").fill("weakpassword");
  await page.getByRole("button", { name: "Confirm password change" }).click();
  await expect(page.locator("#field-new_password-messages")).toContainText("at least three of");

  await page.getByLabel("New password", { exact: true }).fill("Quiet-Meadow-42-Lantern");
  await page.getByLabel("Retype new password").fill("Quiet-Meadow-42-Lantern");
  await page.getByRole("button", { name: "Confirm password change" }).click();
  await expect(page.getByRole("heading", { name: "IAM Dashboard" })).toBeVisible();
  await expect(page.locator(".identity-menu summary")).toContainText("alice @ Team");
});
