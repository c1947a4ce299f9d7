import { readFileSync } from "node:fs";
import { expect, Page, test } from "@playwright/test";
import { createUser, currentStep, hydrated, selectTab, signInAsUser, signOut, signUp, totp, uniqueEmail } from "./helpers";

const USER_PASSWORD = "Initial-Harbor-7-Lantern";

async function createGroup(page: Page, name: string, policy: string): Promise<void> {
  await page.goto("/groups/create");
  await hydrated(page);
  await page.getByLabel("User group name").fill(name);
  await page.getByLabel("Permissions policies").fill(policy);
  await page.getByLabel(policy, { exact: true }).check();
  await page.getByRole("button", { name: "Create group" }).click();
  await expect(page).toHaveURL(new RegExp(`/groups/${name}$`));
  await expect(page.getByTestId("group-policies")).toContainText(policy);
}

test("seed flow: group Admins with AdministratorAccess, alice in it signs in by the link and creates a user", async ({ page }) => {
  const account = await signUp(page, uniqueEmail("seed"), "Seed");
  await createGroup(page, "Admins", "AdministratorAccess");
  await createUser(page, "alice", USER_PASSWORD, { groups: ["Admins"] });
  await expect(page.getByTestId("created-user")).toContainText(`/signin/${account}`);
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download .csv file" }).click();
  const csv = readFileSync(await (await download).path(), "utf8");
  expect(csv).toContain("User name,Password,Console sign-in URL");
  expect(csv).toContain(`alice,,`);

  await page.goto("/users");
  await expect(page.getByRole("heading", { name: "Users (1)" })).toBeVisible();
  await page.getByRole("link", { name: "alice" }).click();
  await selectTab(page, "Groups");
  await expect(page.getByTestId("user-groups")).toContainText("Admins");
  await signOut(page);

  await signInAsUser(page, account, "alice", USER_PASSWORD);
  await expect(page.getByRole("heading", { name: "IAM Dashboard" })).toBeVisible();
  await expect(page.getByTestId("iam-resources")).toContainText("Users");
  await createUser(page, "bob", null);
  await expect(page.getByRole("status").first()).toContainText("User created successfully");
  // Names are unique regardless of case, refused with AWS's error name.
  await createUser(page, "BOB", null);
  await expect(page.getByRole("alert")).toContainText("EntityAlreadyExists: User with name BOB already exists.");
  await page.goto("/users?q=bo");
  await expect(page.getByTestId("users-table")).toContainText("bob");
  await expect(page.getByTestId("users-table")).not.toContainText("alice");

  // Every change is in the event history, with who made it.
  await page.goto("/event-history?action=CreateUser");
  await expect(page.getByTestId("events-table")).toContainText(`arn:aws:iam::${account}:user/alice`);
  await expect(page.getByTestId("events-table")).toContainText(`arn:aws:iam::${account}:user/bob`);
});

test("a user with only IAMReadOnlyAccess sees lists and gets AWS's access-denied message on create", async ({ page }) => {
  const account = await signUp(page, uniqueEmail("reader"), "Readers");
  await createUser(page, "reader", USER_PASSWORD, { policies: ["IAMReadOnlyAccess"] });
  await expect(page.getByTestId("created-user")).toBeVisible();
  await signOut(page);

  await signInAsUser(page, account, "reader", USER_PASSWORD);
  await expect(page.getByRole("heading", { name: "IAM Dashboard" })).toBeVisible();
  await page.goto("/users");
  await expect(page.getByTestId("users-table")).toContainText("reader");
  await page.goto("/policies?type=AWS%20managed%20-%20job%20function");
  await expect(page.getByTestId("policies-table")).toContainText("AdministratorAccess");
  await createUser(page, "carol", null);
  await expect(page.getByTestId("access-denied")).toContainText(
    `User: arn:aws:iam::${account}:user/reader is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${account}:user/carol because no identity-based policy allows the iam:CreateUser action`,
  );
  // A list the user may not see says so in place.
  await page.goto("/event-history");
  await expect(page.getByTestId("access-denied")).toContainText("cloudtrail:LookupEvents");
  await expect(page.getByRole("heading", { name: "Event history" })).toBeVisible();
});

const FORCE_MFA = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "AllowOwnMFA",
      "Effect": "Allow",
      "Action": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:ListMFADevices"],
      "Resource": ["arn:aws:iam::*:mfa/*", "arn:aws:iam::*:user/\${aws:username}"]
    },
    {
      "Sid": "DenyAllExceptListedIfNoMFA",
      "Effect": "Deny",
      "NotAction": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:ListMFADevices", "sts:GetSessionToken"],
      "Resource": "*",
      "Condition": { "BoolIfExists": { "aws:MultiFactorAuthPresent": "false" } }
    }
  ]
}`;

test("the policy editor shows line and column errors before submitting; a force-MFA user can only enrol until signed in with MFA", async ({ page }) => {
  const account = await signUp(page, uniqueEmail("forcemfa"), "Strict");
  await page.goto("/policies/create");
  await hydrated(page);
  await page.getByLabel("Policy editor").fill('{\n  "Version": "2012-10-17",\n  "Statement": [{"Effect": "Allow", "Action": "iam:List*"}]\n}');
  await expect(page.getByTestId("policy-diagnostics")).toContainText("Ln 3, Col");
  await expect(page.getByTestId("policy-diagnostics")).toContainText("Policy statement must contain resources.");
  await expect(page.getByRole("button", { name: "Create policy" })).toBeDisabled();
  await page.getByLabel("Policy editor").fill(FORCE_MFA);
  await expect(page.getByTestId("policy-diagnostics")).not.toContainText("Error");
  await page.getByLabel("Policy name").fill("ForceMFA");
  await page.getByRole("button", { name: "Create policy" }).click();
  await expect(page).toHaveURL(/\/policies\/view\?arn=/);
  await expect(page.getByTestId("policy-document")).toContainText("DenyAllExceptListedIfNoMFA");

  await createUser(page, "mia", USER_PASSWORD, { policies: ["ForceMFA", "IAMReadOnlyAccess"] });
  await expect(page.getByTestId("created-user")).toBeVisible();
  await signOut(page);

  await signInAsUser(page, account, "mia", USER_PASSWORD);
  await expect(page.getByRole("heading", { name: "IAM Dashboard" })).toBeVisible();
  await page.goto("/users");
  await expect(page.getByTestId("access-denied")).toContainText(
    `with an explicit deny in an identity-based policy: arn:aws:iam::${account}:policy/ForceMFA`,
  );

  // Enrolling MFA is what the policy leaves open.
  await page.goto("/security-credentials");
  await hydrated(page);
  await page.getByRole("button", { name: "Assign MFA device" }).click();
  await page.getByLabel("Device name").fill("mia-phone");
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("button", { name: "Show secret key" }).click();
  const secret = (await page.getByTestId("mfa-secret").textContent()) ?? "";
  const step = currentStep();
  await page.getByLabel("MFA code 1").fill(totp(secret, step - 2));
  await page.getByLabel("MFA code 2").fill(totp(secret, step - 1));
  await page.getByRole("button", { name: "Add MFA" }).click();
  await expect(page.getByTestId("recovery-codes").locator("li")).toHaveCount(10);
  await page.getByRole("button", { name: "Done" }).click();
  await signOut(page);

  await signInAsUser(page, account, "mia", USER_PASSWORD);
  await expect(page).toHaveURL(/\/signin\/mfa$/);
  await hydrated(page);
  await page.getByLabel("MFA code").fill(totp(secret, currentStep()));
  await page.getByRole("button", { name: "Submit" }).click();
  await expect(page.getByRole("heading", { name: "IAM Dashboard" })).toBeVisible();
  await page.goto("/users");
  await expect(page.getByTestId("users-table")).toContainText("mia");
});

test("policy versions: edit saves a new default version, the old one can be compared and deleted", async ({ page }) => {
  await signUp(page, uniqueEmail("versions"), "Versions");
  await page.goto("/policies/create");
  await hydrated(page);
  await page.getByLabel("Policy editor").fill('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:List*", "Resource": "*"}]}');
  await page.getByLabel("Policy name").fill("Listers");
  await page.getByRole("button", { name: "Create policy" }).click();
  await expect(page.getByTestId("policy-document")).toContainText("iam:List*");
  await hydrated(page);
  await page.getByRole("button", { name: "Edit" }).click();
  await page.getByLabel("Policy editor").fill('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:Get*", "Resource": "*"}]}');
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByTestId("policy-document")).toContainText("iam:Get*");
  await expect(page.getByTestId("policy-versions")).toContainText("v2 (Default)");
  await page.getByLabel("Compare v1").check();
  await page.getByLabel("Compare v2").check();
  await expect(page.getByTestId("version-compare")).toContainText("iam:List*");
  await expect(page.getByTestId("version-compare")).toContainText("iam:Get*");
  await page.getByRole("row", { name: /v1/ }).getByRole("button", { name: "Delete" }).click();
  await expect(page.getByTestId("policy-versions")).not.toContainText("v1");
});

test("name rules and quotas are refused with AWS's error names; a group gets an inline policy", async ({ page }) => {
  await signUp(page, uniqueEmail("quotas"), "Quotas");
  await page.goto("/users/create");
  await hydrated(page);
  await page.getByLabel("User name").fill("no spaces allowed");
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByRole("alert")).toContainText(
    "1 validation error detected: Value 'no spaces allowed' at 'userName' failed to satisfy constraint",
  );

  await page.goto("/groups/create");
  await hydrated(page);
  await page.getByLabel("User group name").fill("Many");
  await page.getByRole("button", { name: "Create group" }).click();
  await expect(page).toHaveURL(/\/groups\/Many$/);
  await hydrated(page);
  await page.getByRole("button", { name: "Add permissions" }).click();
  const boxes = page.getByTestId("policy-picker").getByRole("checkbox");
  await expect(boxes).toHaveCount(13);
  for (let i = 0; i < 11; i++) await boxes.nth(i).check();
  await page.getByRole("button", { name: "Attach policies" }).click();
  await expect(page.getByRole("alert")).toContainText("LimitExceeded: Cannot exceed quota for PoliciesPerGroup: 10");
  // All or nothing: none of the eleven was attached.
  await expect(page.getByRole("heading", { name: "Permissions policies (0)" })).toBeVisible();

  await page.getByRole("button", { name: "Create inline policy" }).click();
  await page.getByLabel("Policy name").fill("DenyDeletes");
  await page.getByLabel("Policy editor").fill('{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "iam:Delete*", "Resource": "*"}]}');
  await page.getByRole("button", { name: "Create policy" }).click();
  await expect(page.getByTestId("group-policies")).toContainText("DenyDeletes");
  await expect(page.getByRole("heading", { name: "Permissions policies (1)" })).toBeVisible();
});

test("users ticked in the list are added to a group, then deleted after typing delete", async ({ page }) => {
  await signUp(page, uniqueEmail("bulk"), "Bulk");
  await createGroup(page, "Crew", "IAMReadOnlyAccess");
  for (const name of ["ann", "ben", "cat"]) await createUser(page, name, null);
  await page.goto("/users");
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Users (3)" })).toBeVisible();
  await page.getByLabel("Select ann").check();
  await page.getByLabel("Select ben").check();
  await expect(page.getByTestId("bulk-actions")).toContainText("2 selected");
  await page.getByLabel("Add to group").selectOption("Crew");
  await page.getByTestId("bulk-actions").getByRole("button", { name: "Add" }).click();
  await expect(page.getByText("Users added to the group.")).toBeVisible();
  await page.goto("/groups/Crew");
  await expect(page.getByTestId("group-users")).toContainText("ann");
  await expect(page.getByTestId("group-users")).toContainText("ben");

  await page.goto("/users");
  await hydrated(page);
  await page.getByLabel("Select ann").check();
  await page.getByLabel("Select cat").check();
  await page.getByTestId("bulk-actions").getByRole("button", { name: "Delete" }).click();
  await page.getByLabel("To confirm deletion, enter delete").fill("delete");
  await page.getByRole("button", { name: "Delete users" }).click();
  await expect(page.getByRole("heading", { name: "Users (1)" })).toBeVisible();
  await expect(page.getByTestId("users-table")).toContainText("ben");
});

test("a user allowed to read users but not their tags sees AWS's access-denied message in place of the tags", async ({ page }) => {
  const account = await signUp(page, uniqueEmail("parts"), "Parts");
  await page.goto("/policies/create");
  await hydrated(page);
  await page.getByLabel("Policy editor").fill(
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["iam:ListUsers", "iam:GetUser", "iam:ListAttachedUserPolicies"], "Resource": "*"}]}',
  );
  await page.getByLabel("Policy name").fill("SeeUsers");
  await page.getByRole("button", { name: "Create policy" }).click();
  await expect(page).toHaveURL(/\/policies\/view\?arn=/);
  await createUser(page, "tess", USER_PASSWORD, { policies: ["SeeUsers"] });
  await expect(page.getByTestId("created-user")).toBeVisible();
  await signOut(page);

  await signInAsUser(page, account, "tess", USER_PASSWORD);
  await expect(page.getByRole("heading", { name: "IAM Dashboard" })).toBeVisible();
  await page.goto("/users/tess");
  await hydrated(page);
  // What she may read is shown: the user and its attached policies.
  await expect(page.getByTestId("user-policies")).toContainText("SeeUsers");
  await selectTab(page, "Tags");
  await expect(page.getByRole("tabpanel").getByTestId("access-denied")).toContainText(
    `User: arn:aws:iam::${account}:user/tess is not authorized to perform: iam:ListUserTags on resource: arn:aws:iam::${account}:user/tess because no identity-based policy allows the iam:ListUserTags action`,
  );
  await expect(page.getByTestId("user-tags")).toHaveCount(0);
});
