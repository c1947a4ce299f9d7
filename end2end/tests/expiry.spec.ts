import { execFileSync } from "node:child_process";
import { expect, Page, test } from "@playwright/test";
import { hydrated, PASSWORD, selectTab, signIn, signOut, signUp, uniqueEmail } from "./helpers";

const FIRST = "Initial-Harbor-7-Lantern";

/** Runs SQL against the server's database: the only way to let two days pass in a test. */
function sql(statement: string): void {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL must name the server's database (scripts/test.sh exports it)");
  execFileSync(process.env.PSQL ?? "psql", [url, "-q", "-v", "ON_ERROR_STOP=1", "-c", statement]);
}

async function userSignIn(page: Page, account: string, password: string): Promise<void> {
  await page.goto(`/signin/${account}`);
  await hydrated(page);
  await page.getByLabel("IAM user name").fill("eve");
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test("an expired password forces a change; under hard expiry only an administrator's reset lets the user in", async ({ page }) => {
  const email = uniqueEmail("expiry");
  const account = await signUp(page, email, "Expiry");
  await page.goto("/users/create");
  await hydrated(page);
  await page.getByLabel("User name").fill("eve");
  await page.getByLabel("Provide user access to the console").check();
  await page.getByLabel("Custom password").check();
  await page.getByLabel("Password", { exact: true }).fill(FIRST);
  await page.getByLabel("Users must create a new password at next sign-in").uncheck();
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("button", { name: "Create user" }).click();
  await expect(page.getByTestId("created-user")).toBeVisible();

  // Passwords expire after one day, and eve's was set two days ago.
  await page.goto("/account-settings");
  await hydrated(page);
  await page.getByRole("button", { name: "Edit", exact: true }).click();
  await page.getByLabel("Turn on password expiration").check();
  await page.getByLabel("Expiration period (days)").fill("1");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Password policy updated.")).toBeVisible();
  sql(`UPDATE login_profiles SET password_changed_at = now() - interval '2 days' WHERE account_id = '${account}' AND user_name = 'eve'`);
  await signOut(page);

  await userSignIn(page, account, FIRST);
  await expect(page).toHaveURL(/\/change-password$/);
  await hydrated(page);
  await page.getByLabel("Old password").fill(FIRST);
  await page.getByLabel("New password", { exact: true }).fill("Quiet-Meadow-42-Lantern");
  await page.getByLabel("Retype new password").fill("Quiet-Meadow-42-Lantern");
  await page.getByRole("button", { name: "Confirm password change" }).click();
  await expect(page.getByRole("heading", { name: "IAM Dashboard" })).toBeVisible();
  await signOut(page);

  // Hard expiry: the expired password opens nothing; the administrator resets it.
  sql(`UPDATE password_policies SET hard_expiry = true WHERE account_id = '${account}'`);
  sql(`UPDATE login_profiles SET password_changed_at = now() - interval '2 days' WHERE account_id = '${account}' AND user_name = 'eve'`);
  await userSignIn(page, account, "Quiet-Meadow-42-Lantern");
  await expect(page.getByRole("alert")).toContainText("your password has expired; ask your administrator to reset it");

  await signIn(page, email, PASSWORD);
  await expect(page.getByRole("heading", { name: "IAM Dashboard" })).toBeVisible();
  await page.goto("/users/eve");
  await hydrated(page);
  await selectTab(page, "Security credentials");
  await page.getByRole("button", { name: "Reset password" }).click();
  await page.getByLabel("Custom password (leave empty to autogenerate)").fill("Copper-Kettle-Sings-93");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByText("Console password set.")).toBeVisible();
  await signOut(page);

  await userSignIn(page, account, "Copper-Kettle-Sings-93");
  await expect(page).toHaveURL(/\/change-password$/);
});
