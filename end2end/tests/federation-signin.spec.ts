import { expect, Page, test } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { createUser, hydrated, PASSWORD, signIn, signOut, signUp, uniqueEmail } from "./helpers";

// The SAML identity provider scripts/test.sh starts (end2end/idp/saml.mjs): it signs real
// responses and posts them to the console's /saml (IdP-initiated sign-in).
const IDP = process.env.SAML_IDP ?? "http://127.0.0.1:7080";

async function createSamlRole(page: Page, name: string, policy?: string): Promise<void> {
  await page.goto("/roles/create");
  await hydrated(page);
  await page.getByLabel("SAML 2.0 federation").check();
  await page.getByLabel("Identity provider").selectOption({ label: "Corp-IdP" });
  await page.getByRole("button", { name: "Next" }).click();
  if (policy) {
    await page.getByLabel("Permissions policies").fill(policy);
    await page.getByLabel(policy, { exact: true }).check();
  }
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByLabel("Role name").fill(name);
  await expect(page.getByTestId("trust-review")).toContainText('"SAML:aud"');
  await page.getByRole("button", { name: "Create role" }).click();
  await expect(page).toHaveURL(new RegExp(`/roles/${name}$`));
}

test("IdP-initiated SAML sign-in: a role picker for two roles, straight in for one, a clear refusal", async ({ page, browser }) => {
  const email = uniqueEmail("saml");
  const account = await signUp(page, email, "Saml");
  const metadata = await (await fetch(`${IDP}/metadata`)).text();
  await page.goto("/identity-providers/create?type=saml");
  await hydrated(page);
  await page.getByLabel("Provider name").fill("Corp-IdP");
  await page.getByLabel("Metadata document").fill(metadata);
  await page.getByRole("button", { name: "Add provider" }).click();
  await expect(page.getByRole("heading", { name: "Corp-IdP" })).toBeVisible();
  await createSamlRole(page, "saml-readers");
  await createSamlRole(page, "saml-admins", "IAMFullAccess");
  await signOut(page);

  const provider = `arn:aws:iam::${account}:saml-provider/Corp-IdP`;
  const pair = (role: string) => `arn:aws:iam::${account}:role/${role},${provider}`;

  // Two roles on offer: the picker, grouped by account; the console opens as the one chosen.
  await page.goto(`${IDP}/sso?user=alice&roles=${encodeURIComponent(`${pair("saml-readers")};${pair("saml-admins")}`)}`);
  await expect(page.getByRole("heading", { name: "Select a role" })).toBeVisible();
  await expect(page.getByRole("group", { name: `Account: ${account}` })).toBeVisible();
  await page.getByLabel("saml-admins").check();
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "IAM Dashboard" })).toBeVisible();
  await expect(page.locator(".identity-principal")).toHaveText("saml-admins/alice");
  // What the session does is recorded with the federated user behind it.
  await createUser(page, "made-by-alice", null);
  await expect(page.getByTestId("created-user")).toBeVisible();
  await signOut(page);

  // One role: straight into the console, without JavaScript too (the provider's form has a button).
  const plain = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  await plain.goto(`${IDP}/sso?user=bob&roles=${encodeURIComponent(pair("saml-readers"))}`);
  await plain.getByRole("button", { name: "Continue" }).click();
  await expect(plain.getByRole("heading", { name: "IAM Dashboard" })).toBeVisible();
  await expect(plain.locator(".identity-principal")).toHaveText("saml-readers/bob");

  // A role that does not trust the provider: refused in AWS's words, no session.
  const other = await (await browser.newContext()).newPage();
  await other.goto(`${IDP}/sso?user=alice&roles=${encodeURIComponent(`arn:aws:iam::${account}:role/no-such-role,${provider}`)}`);
  await expect(other.getByRole("heading", { name: "Sign-in failed" })).toBeVisible();
  await expect(other.getByRole("alert")).toContainText("Not authorized to perform sts:AssumeRoleWithSAML");
  await other.goto("/");
  await expect(other).toHaveURL(/\/signin$/);

  // The root user's event history names the federated user behind the role session.
  await signIn(page, email, PASSWORD);
  await expect(page.getByRole("heading", { name: "IAM Dashboard" })).toBeVisible();
  await page.goto("/event-history?action=CreateUser");
  await expect(page.getByTestId("events-table")).toContainText(`Federated: alice (${provider})`);
});

test("a custom broker's federation URL opens the console as its federated user", async ({ page, browser }) => {
  await signUp(page, uniqueEmail("broker"), "Broker");
  await page.goto("/security-credentials");
  await hydrated(page);
  await page.getByRole("button", { name: "Create access key" }).click();
  const id = (await page.getByTestId("new-key-id").textContent()) ?? "";
  const secret = (await page.getByTestId("new-key-secret").textContent()) ?? "";
  const base = process.env.BASE_URL ?? "http://127.0.0.1:3000";
  const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "iam:List*", Resource: "*" }] });
  const out = execFileSync(process.env.AWS_CLI ?? "aws",
    ["--endpoint-url", base, "--output", "json", "sts", "get-federation-token", "--name", "portal-bob", "--policy", policy],
    { env: { ...process.env, AWS_ACCESS_KEY_ID: id, AWS_SECRET_ACCESS_KEY: secret, AWS_DEFAULT_REGION: "us-east-1" } });
  const creds = JSON.parse(out.toString()).Credentials;
  const session = JSON.stringify({ sessionId: creds.AccessKeyId, sessionKey: creds.SecretAccessKey, sessionToken: creds.SessionToken });
  const answer = await fetch(`${base}/federation?Action=getSigninToken&Session=${encodeURIComponent(session)}`);
  expect(answer.status).toBe(200);
  const { SigninToken } = await answer.json();

  // The link a broker's portal hands its people, opened in a browser that has no session.
  const visitor = await (await browser.newContext()).newPage();
  await visitor.goto(`/federation?Action=login&Issuer=${encodeURIComponent("https://portal.example")}` +
    `&Destination=${encodeURIComponent(`${base}/users`)}&SigninToken=${encodeURIComponent(SigninToken)}`);
  await expect(visitor).toHaveURL(/\/users$/);
  await expect(visitor.locator(".identity-principal")).toHaveText("portal-bob");
  await expect(visitor.getByRole("heading", { name: /^Users/ })).toBeVisible();
});

// The OpenID provider scripts/test.sh starts at https://localhost (end2end/idp/oidc.mjs), with
// a certificate of the tests' own CA: the browser is told to accept it.
async function signInAtProvider(page: Page, login: string): Promise<void> {
  await page.locator("input[name=login]").fill(login);
  await page.locator("input[name=password]").fill("any");
  await page.locator("button[type=submit]").click();
}

test("sign in through an OpenID Connect provider: its login page, then the console as the role; a subject the trust policy does not name is refused", async ({ page, browser }) => {
  const account = await signUp(page, uniqueEmail("oidc"), "Oidc");
  await page.goto("/identity-providers/create");
  await hydrated(page);
  await page.getByLabel("Provider URL").fill("https://localhost");
  await page.getByLabel("Audience").fill("console-app");
  await page.getByRole("button", { name: "Add provider" }).click();
  await expect(page.getByRole("heading", { name: "https://localhost" })).toBeVisible();
  await hydrated(page);
  const panel = page.getByTestId("console-signin");
  await expect(panel).toContainText("Off.");
  await panel.getByLabel("Client secret").fill("console-secret");
  await panel.getByRole("button", { name: "Turn on console sign-in" }).click();
  await expect(panel).toContainText("On, as client console-app");

  // A role only alice may assume: a custom trust policy on the provider's sub.
  await page.goto("/roles/create");
  await hydrated(page);
  await page.getByLabel("Custom trust policy").first().check();
  const trust = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{
      Effect: "Allow",
      Principal: { Federated: `arn:aws:iam::${account}:oidc-provider/localhost` },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: { StringEquals: { "localhost:aud": "console-app", "localhost:sub": "alice" } },
    }],
  });
  await page.locator("textarea").first().fill(trust);
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByLabel("Role name").fill("oidc-readers");
  await page.getByRole("button", { name: "Create role" }).click();
  await expect(page).toHaveURL(/\/roles\/oidc-readers$/);
  await signOut(page);

  const alice = await (await browser.newContext({ ignoreHTTPSErrors: true })).newPage();
  await alice.goto(`/signin/${account}`);
  await alice.getByRole("link", { name: "Sign in with https://localhost" }).click();
  await expect(alice).toHaveURL(/^https:\/\/localhost\//);
  await signInAtProvider(alice, "alice");
  await expect(alice.getByRole("heading", { name: "IAM Dashboard" })).toBeVisible();
  await expect(alice.locator(".identity-principal")).toHaveText(/^oidc-readers\/alice/);

  const mallory = await (await browser.newContext({ ignoreHTTPSErrors: true })).newPage();
  await mallory.goto(`/signin/${account}`);
  await mallory.getByRole("link", { name: "Sign in with https://localhost" }).click();
  await signInAtProvider(mallory, "mallory");
  await expect(mallory.getByRole("heading", { name: "Sign-in failed" })).toBeVisible();
  await expect(mallory.getByRole("alert")).toContainText("Not authorized to perform sts:AssumeRoleWithWebIdentity");
  await expect(mallory.getByRole("alert")).toContainText("mallory");
  await mallory.goto("/");
  await expect(mallory).toHaveURL(/\/signin$/);
});
