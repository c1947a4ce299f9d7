import { execFileSync } from "node:child_process";
import { expect, Page, test } from "@playwright/test";
import { hydrated, PASSWORD, signIn, signOut, signUp, uniqueEmail } from "./helpers";

const USER_PASSWORD = "Initial-Harbor-7-Lantern";

async function signInAsUser(page: Page, link: string): Promise<void> {
  await page.goto(`/signin/${link}`);
  await hydrated(page);
  await page.getByLabel("IAM user name").fill("carol");
  await page.getByLabel("Password").fill(USER_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test("the account alias names the sign-in link, and a new alias retires the old one", async ({ page, baseURL }) => {
  const email = uniqueEmail("alias");
  const account = await signUp(page, email, "Aliased");
  execFileSync(process.env.SERVER_BIN ?? "", ["user", "create", "--account", account, "--user", "carol", "--password-stdin"], {
    input: USER_PASSWORD,
    env: process.env,
  });
  const first = `team-${Date.now().toString(36)}`;
  const second = `${first}-next`;

  await page.goto("/account-settings");
  await hydrated(page);
  await page.locator("#field-alias").fill("Not_Valid");
  await page.getByRole("button", { name: "Save alias" }).click();
  await expect(page.locator("#field-alias-messages")).toContainText("lowercase letters, digits and hyphens");
  await page.locator("#field-alias").fill(first);
  await page.getByRole("button", { name: "Save alias" }).click();
  await expect(page.getByTestId("alias-current")).toHaveText(`Current alias: ${first}`);
  await page.goto("/");
  await expect(page.getByTestId("signin-url")).toHaveText(`${baseURL}/signin/${first}`);
  await signOut(page);

  await signInAsUser(page, first);
  await expect(page.getByRole("heading", { name: "IAM Dashboard" })).toBeVisible();
  await signOut(page);

  // The root user replaces the alias: the old link no longer signs anyone in.
  await signIn(page, email, PASSWORD);
  await expect(page.getByRole("heading", { name: "IAM Dashboard" })).toBeVisible();
  await page.goto("/account-settings");
  await hydrated(page);
  await page.locator("#field-alias").fill(second);
  await page.getByRole("button", { name: "Save alias" }).click();
  await expect(page.getByTestId("alias-current")).toHaveText(`Current alias: ${second}`);
  await signOut(page);

  await signInAsUser(page, first);
  await expect(page.getByRole("alert")).toHaveText("Your authentication information is incorrect. Please try again.");
  await signInAsUser(page, second);
  await expect(page.getByRole("heading", { name: "IAM Dashboard" })).toBeVisible();
});
