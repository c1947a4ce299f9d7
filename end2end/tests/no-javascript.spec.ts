import { expect, test } from "@playwright/test";
import { PASSWORD, signUp, uniqueEmail } from "./helpers";

test("sign-in works, and refuses, without JavaScript", async ({ browser, page }) => {
  const email = uniqueEmail("nojs");
  const accountId = await signUp(page, email);

  const context = await browser.newContext({ javaScriptEnabled: false });
  const plain = await context.newPage();
  await plain.goto("/signin");
  await plain.getByLabel("Root user email address").fill(email);
  await plain.getByLabel("Password").fill("Wrong-password-1");
  await plain.getByRole("button", { name: "Sign in" }).click();
  await expect(plain.getByRole("alert")).toHaveText(
    "Your authentication information is incorrect. Please try again.",
  );

  await plain.getByLabel("Root user email address").fill(email);
  await plain.getByLabel("Password").fill(PASSWORD);
  await plain.getByRole("button", { name: "Sign in" }).click();
  await expect(plain.getByRole("heading", { name: "IAM Dashboard" })).toBeVisible();
  await expect(plain.getByTestId("account-id")).toHaveText(accountId);
  await context.close();
});
