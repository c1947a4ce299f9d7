import { expect, Page, test } from "@playwright/test";
import {
  createUser,
  currentStep,
  enrol,
  hydrated,
  PASSWORD,
  signIn,
  signInAsUser,
  signOut,
  signUp,
  totp,
  uniqueEmail,
} from "./helpers";

const ALICE_PASSWORD = "Initial-Harbor-7-Lantern";

/** Walks the create-role wizard for a role that trusts another account and requires MFA. */
async function createCrossAccountRole(page: Page, name: string, trusted: string, policy: string): Promise<void> {
  await page.goto("/roles/create");
  await hydrated(page);
  await page.getByLabel("AWS account", { exact: true }).check();
  await page.getByLabel("Another AWS account").check();
  await page.getByRole("textbox", { name: "Account ID" }).fill(trusted);
  await page.getByLabel("Require MFA").check();
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByLabel("Permissions policies").fill(policy);
  await page.getByLabel(policy, { exact: true }).check();
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByLabel("Role name").fill(name);
  await page.getByLabel("Description").fill("Read-only access for the home account's auditors");
  await expect(page.getByTestId("trust-review")).toContainText(`arn:aws:iam::${trusted}:root`);
  await expect(page.getByTestId("trust-review")).toContainText("aws:MultiFactorAuthPresent");
  await page.getByRole("button", { name: "Create role" }).click();
  await expect(page).toHaveURL(new RegExp(`/roles/${name}$`));
}

async function switchTo(page: Page, account: string, role: string, display: string): Promise<void> {
  await page.goto(`/switch-role?account=${account}&roleName=${role}`);
  await hydrated(page);
  await page.getByLabel("Display name - optional").fill(display);
  await page.getByLabel("blue").check();
  await page.getByRole("button", { name: "Switch role" }).click();
}

test("switch role into another account's role that requires MFA; its permissions apply; switch back; revoking its sessions ends the switched one", async ({ page, browser }) => {
  // The home account: alice, an administrator there.
  const home = await signUp(page, uniqueEmail("home"), "Home");
  await createUser(page, "alice", ALICE_PASSWORD, { policies: ["AdministratorAccess"] });
  await expect(page.getByTestId("created-user")).toContainText(`/signin/${home}`);
  await signOut(page);

  // The target account: a role trusting the home account, with MFA required.
  const targetEmail = uniqueEmail("target");
  const target = await signUp(page, targetEmail, "Target");
  await createCrossAccountRole(page, "Auditor", home, "IAMReadOnlyAccess");
  await expect(page.getByTestId("role-summary")).toContainText(`arn:aws:iam::${target}:role/Auditor`);
  await expect(page.getByTestId("switch-link")).toContainText(`/switch-role?account=${target}&roleName=Auditor`);
  await expect(page.getByTestId("role-policies")).toContainText("IAMReadOnlyAccess");
  await page.goto("/roles");
  await expect(page.getByTestId("roles-table")).toContainText(`Account: ${home}`);
  await signOut(page);

  // alice signs in without MFA: the role refuses her.
  await signInAsUser(page, home, "alice", ALICE_PASSWORD);
  await expect(page.getByRole("heading", { name: "IAM Dashboard" })).toBeVisible();
  const { secret } = await enrol(page);
  await switchTo(page, target, "Auditor", "Audit target");
  await expect(page.getByRole("alert")).toContainText(`arn:aws:iam::${home}:user/alice is not authorized to perform: sts:AssumeRole`);
  await signOut(page);

  // With MFA she may switch; the console is then the role session.
  await signInAsUser(page, home, "alice", ALICE_PASSWORD);
  await expect(page).toHaveURL(/\/signin\/mfa$/);
  await hydrated(page);
  await page.getByLabel("MFA code").fill(totp(secret, currentStep()));
  await page.getByRole("button", { name: "Submit" }).click();
  await expect(page.getByRole("heading", { name: "IAM Dashboard" })).toBeVisible();
  await switchTo(page, target, "Auditor", "Audit target");
  await expect(page.getByTestId("switched-role")).toHaveText("Audit target");
  await page.goto("/users");
  await expect(page.getByRole("heading", { name: "Users (0)" })).toBeVisible();
  await page.goto("/users/create");
  await hydrated(page);
  await page.getByLabel("User name").fill("mallory");
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("button", { name: "Create user" }).click();
  await expect(page.getByRole("alert")).toContainText(
    `arn:aws:sts::${target}:assumed-role/Auditor/alice is not authorized to perform: iam:CreateUser`,
  );

  // Switch back: alice again, in her own account.
  await page.locator(".identity-menu summary").click();
  await page.getByRole("button", { name: "Switch back" }).click();
  await expect(page.getByTestId("switched-role")).toHaveCount(0);
  await expect(page.locator(".identity-principal")).toHaveText("alice");
  // The menu offers the role again.
  await page.locator(".identity-menu summary").click();
  await page.getByRole("button", { name: "Audit target" }).click();
  await expect(page.getByTestId("switched-role")).toHaveText("Audit target");

  // The target's root revokes the role's sessions: alice's switched session ends.
  const rootContext = await browser.newContext();
  const root = await rootContext.newPage();
  await signIn(root, targetEmail, PASSWORD);
  await expect(root.getByRole("heading", { name: "IAM Dashboard" })).toBeVisible();
  await root.goto("/roles/Auditor");
  await hydrated(root);
  await root.getByRole("button", { name: "Revoke active sessions" }).click();
  await expect(root.getByRole("status").first()).toContainText("Active sessions revoked.");
  await rootContext.close();

  await page.goto("/users");
  await expect(page.getByRole("alert")).toContainText("AWSRevokeOlderSessions");
});
