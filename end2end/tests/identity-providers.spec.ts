import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { hydrated, PASSWORD, signUp, uniqueEmail } from "./helpers";

const METADATA = readFileSync(join(__dirname, "..", "fixtures", "idp-metadata.xml"), "utf8");

test("add an OpenID Connect and a SAML provider, manage audiences, delete", async ({ page }) => {
  await signUp(page, uniqueEmail("idp"));
  await page.getByRole("link", { name: "Identity providers" }).first().click();
  await expect(page.getByRole("heading", { name: "Identity providers (0)" })).toBeVisible();
  await page.getByRole("link", { name: "Add provider" }).first().click();
  await hydrated(page);

  await page.getByLabel("Provider URL").fill("http://token.example.com");
  await page.getByLabel("Audience").fill("sts.amazonaws.com");
  await page.getByRole("button", { name: "Add provider" }).click();
  await expect(page.locator("#field-url-messages")).toContainText("Invalid Open ID Connect Provider URL");

  await page.getByLabel("Provider URL").fill("https://token.example.com");
  await page.getByRole("button", { name: "Add provider" }).click();
  await expect(page.getByRole("heading", { name: "https://token.example.com" })).toBeVisible();
  await expect(page.getByTestId("provider-summary")).toContainText(":oidc-provider/token.example.com");
  await expect(page.getByTestId("audiences")).toContainText("sts.amazonaws.com");
  await hydrated(page);
  await page.getByLabel("Add audience").fill("web-app");
  await page.getByRole("button", { name: "Add audience" }).click();
  await expect(page.getByTestId("audiences")).toContainText("web-app");
  await page.getByTestId("audiences").getByRole("row", { name: /sts\.amazonaws\.com/ }).getByRole("button", { name: "Remove" }).click();
  await expect(page.getByTestId("audiences")).not.toContainText("sts.amazonaws.com");
  await expect(page.getByTestId("audiences")).toContainText("web-app");

  await page.goto("/identity-providers/create?type=saml");
  await hydrated(page);
  await page.getByLabel("Provider name").fill("Example-IdP");
  await page.getByLabel("Metadata document").fill("<not-metadata/>" + " ".repeat(1000));
  await page.getByRole("button", { name: "Add provider" }).click();
  await expect(page.getByRole("alert")).toContainText("Could not parse metadata");
  await page.getByLabel("Metadata document").fill(METADATA);
  await page.getByRole("button", { name: "Add provider" }).click();
  await expect(page.getByRole("heading", { name: "Example-IdP" })).toBeVisible();
  await expect(page.getByTestId("provider-summary")).toContainText("https://idp.example.test/metadata");
  await expect(page.getByTestId("provider-summary")).toContainText("2036");

  // A role for the provider's users, from the wizard.
  await page.goto("/roles/create");
  await hydrated(page);
  await page.getByLabel("Web identity").check();
  await page.getByLabel("Identity provider").selectOption({ label: "https://token.example.com" });
  await page.getByLabel("Audience").fill("web-app");
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByLabel("Role name").fill("web-users");
  await expect(page.getByTestId("trust-review")).toContainText('"token.example.com:aud": "web-app"');
  await expect(page.getByTestId("trust-review")).toContainText("sts:AssumeRoleWithWebIdentity");
  await page.getByRole("button", { name: "Create role" }).click();
  await expect(page).toHaveURL(/\/roles\/web-users$/);
  await expect(page.getByTestId("trust-policy")).toContainText(":oidc-provider/token.example.com");

  await page.goto("/");
  await expect(page.getByTestId("iam-resources").locator("div", { hasText: "Identity providers" })).toContainText("2");
  await page.goto("/identity-providers");
  await expect(page.getByRole("heading", { name: "Identity providers (2)" })).toBeVisible();
  await page.getByRole("link", { name: "https://token.example.com" }).click();
  await hydrated(page);
  await page.getByRole("button", { name: "Delete" }).click();
  await page.getByLabel("To confirm deletion, enter https://token.example.com").fill("https://token.example.com");
  await page.getByRole("button", { name: "Delete" }).last().click();
  await expect(page.getByRole("heading", { name: "Identity providers (1)" })).toBeVisible();
});

test("a provider is added without JavaScript", async ({ browser, page }) => {
  const email = uniqueEmail("idp-nojs");
  await signUp(page, email);
  const context = await browser.newContext({ javaScriptEnabled: false });
  const plain = await context.newPage();
  await plain.goto("/signin");
  await plain.getByLabel("Root user email address").fill(email);
  await plain.getByLabel("Password").fill(PASSWORD);
  await plain.getByRole("button", { name: "Sign in" }).click();
  await expect(plain.getByRole("heading", { name: "IAM Dashboard" })).toBeVisible();
  await plain.goto("/identity-providers/create");
  await plain.getByLabel("Provider URL").fill("https://accounts.example.com");
  await plain.getByLabel("Audience").fill("console");
  await plain.getByRole("button", { name: "Add provider" }).click();
  await expect(plain.getByRole("heading", { name: "https://accounts.example.com" })).toBeVisible();
  await expect(plain.getByTestId("audiences")).toContainText("console");
  await context.close();
});
