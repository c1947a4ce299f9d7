import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { hydrated, signUp, uniqueEmail } from "./helpers";

const HEADER = "identity/LineItemId,lineItem/UsageStartDate,lineItem/ProductCode,lineItem/UnblendedCost";

function serverBin(args: string[], input?: string): string {
  const bin = process.env.SERVER_BIN;
  if (!bin) throw new Error("SERVER_BIN must name the server binary (scripts/test.sh sets it)");
  return execFileSync(bin, args, { input, env: process.env }).toString().trim();
}

/** Attaches AWS's Billing job-function policy to a user with the AWS CLI, as root. */
function attachBilling(account: string, user: string): void {
  const [id, secret] = serverBin(["access-key", "create", "--account", account, "--root"]).split("\t");
  execFileSync(
    process.env.AWS_CLI ?? "aws",
    ["--endpoint-url", process.env.BASE_URL ?? "", "iam", "attach-user-policy", "--user-name", user,
      "--policy-arn", "arn:aws:iam::aws:policy/job-function/Billing"],
    { env: { ...process.env, AWS_ACCESS_KEY_ID: id, AWS_SECRET_ACCESS_KEY: secret, AWS_DEFAULT_REGION: "us-east-1" } },
  );
}

test("budgets from the template and the custom form; imported costs cross 85% and the alert shows", async ({ page }) => {
  await signUp(page, uniqueEmail("billing"), "Billing");

  await page.goto("/billing/budgets/create");
  await hydrated(page);
  await expect(page.getByLabel("Monthly cost budget")).toBeChecked();
  await page.getByLabel("Budget name").fill("Monthly");
  await page.getByLabel("Enter your budgeted amount ($)").fill("100");
  await page.getByLabel("Email recipients").fill("ops@example.com, finance@example.com");
  await page.getByRole("button", { name: "Create budget" }).click();
  await expect(page.getByRole("heading", { name: "Monthly", exact: true })).toBeVisible();
  const alerts = page.getByTestId("alerts");
  await expect(alerts).toContainText("Actual cost above 85%");
  await expect(alerts).toContainText("Actual cost above 100%");
  await expect(alerts).toContainText("Forecasted cost above 100%");
  await expect(alerts).toContainText("$85.00");

  // "Customize (advanced)": the wizard, each step checked before the next.
  await page.goto("/billing/budgets/create");
  await hydrated(page);
  await page.getByLabel("Customize (advanced)").check();
  const wizard = page.getByTestId("budget-wizard");
  await expect(wizard.getByRole("heading", { name: "Choose budget type" })).toBeVisible();
  await expect(wizard.getByLabel("Cost budget - Recommended")).toBeChecked();
  await wizard.getByRole("button", { name: "Next" }).click();
  await wizard.getByLabel("Budget name").fill("Team: ops");
  await wizard.getByLabel("Period").selectOption("QUARTERLY");
  await wizard.getByLabel("Enter your budgeted amount ($)").fill("500");
  await wizard.getByRole("button", { name: "Next" }).click();
  await expect(wizard.getByRole("alert")).toContainText("budget name `Team: ops` must be 1 to 100 characters, without `:` or `\\`");
  await wizard.getByLabel("Budget name").fill("Quarterly ops");
  await wizard.getByRole("button", { name: "Next" }).click();
  await expect(wizard.getByRole("heading", { name: "Configure alerts" })).toBeVisible();
  await wizard.getByLabel("Threshold", { exact: true }).fill("50");
  await wizard.getByRole("button", { name: "Add an alert threshold" }).click();
  await wizard.locator("#alert-1-trigger").selectOption("forecasted");
  await wizard.locator("#alert-1-recipients").fill("lead@example.com");
  await wizard.getByRole("button", { name: "Next" }).click();
  await expect(wizard.getByTestId("review-budget")).toContainText("Quarterly");
  await expect(wizard.getByTestId("review-budget")).toContainText("$500.00");
  await expect(wizard.getByTestId("review-alerts")).toContainText("Actual cost above 50% (fires above $250.00)");
  await expect(wizard.getByTestId("review-alerts")).toContainText("Forecasted cost above 80% (fires above $400.00) to lead@example.com");
  await wizard.getByRole("button", { name: "Edit step 2" }).click();
  await expect(wizard.getByLabel("Budget name")).toHaveValue("Quarterly ops");
  await wizard.getByRole("button", { name: "Next" }).click();
  await wizard.getByRole("button", { name: "Next" }).click();
  await wizard.getByRole("button", { name: "Create budget" }).click();
  await expect(page.getByTestId("budget-facts")).toContainText("Quarterly");
  await expect(page.getByTestId("alerts")).toContainText("$250.00");
  await expect(page.getByTestId("alerts")).toContainText("lead@example.com");
  await expect(page.getByTestId("history").locator("tbody tr").first()).toContainText("$0.00");
  // Edit: everything but the name, in the same wizard.
  await page.getByRole("link", { name: "Edit budget" }).click();
  await hydrated(page);
  const editor = page.getByTestId("budget-wizard");
  await expect(editor.getByText("Budget name: Quarterly ops")).toBeVisible();
  await editor.getByLabel("Enter your budgeted amount ($)").fill("600");
  await editor.getByRole("button", { name: "Next" }).click();
  await editor.getByRole("button", { name: "Next" }).click();
  await expect(editor.getByTestId("review-alerts")).toContainText("fires above $300.00");
  await editor.getByRole("button", { name: "Save budget" }).click();
  await expect(page.getByTestId("budget-facts")).toContainText("$600.00");

  // A usage budget: the wizard's other type, measured in its usage type's unit.
  await page.goto("/billing/budgets/create");
  await hydrated(page);
  await page.getByLabel("Customize (advanced)").check();
  const usage = page.getByTestId("budget-wizard");
  await usage.getByLabel("Usage budget").check();
  await usage.getByRole("button", { name: "Next" }).click();
  await usage.getByLabel("Budget name").fill("t3 hours");
  await usage.getByLabel("Usage type").fill("BoxUsage:t3.micro");
  await usage.getByLabel("Enter your budgeted usage").fill("100");
  await usage.getByRole("button", { name: "Next" }).click();
  await usage.getByRole("button", { name: "Next" }).click();
  await expect(usage.getByTestId("review-budget")).toContainText("100 BoxUsage:t3.micro");
  await expect(usage.getByTestId("review-alerts")).toContainText("Actual usage above 80% (fires above 80 BoxUsage:t3.micro)");
  await usage.getByRole("button", { name: "Create budget" }).click();
  await expect(page.getByTestId("budget-facts")).toContainText("100 BoxUsage:t3.micro");

  // A broken file names its line and imports nothing.
  const today = new Date().toISOString().slice(0, 10);
  await page.goto("/billing");
  await hydrated(page);
  await page.getByLabel("Cost and Usage Report (CSV)").fill(`${HEADER}\na,${today}T00:00:00Z,AmazonEC2,60.00\nb,${today}T00:00:00Z,AmazonS3,twelve\n`);
  await page.getByRole("button", { name: "Import" }).click();
  await expect(page.getByText("line 3, column `lineItem/UnblendedCost`: `twelve` is not an amount like 12.34")).toBeVisible();
  await expect(page.getByTestId("month-to-date")).toHaveText("$0.00");

  await page.getByLabel("Cost and Usage Report (CSV)").fill(`${HEADER}\na,${today}T00:00:00Z,AmazonEC2,60.00\nb,${today}T00:00:00Z,AmazonS3,30.00\n`);
  await page.getByRole("button", { name: "Import" }).click();
  await expect(page.getByTestId("import-result")).toContainText("Imported 2 lines");
  await expect(page.getByTestId("month-to-date")).toHaveText("$90.00");
  await expect(page.getByTestId("by-service")).toContainText("AmazonEC2");
  await expect(page.getByTestId("cost-chart").locator("svg")).toBeVisible();

  await page.getByRole("link", { name: /new budget alerts/ }).click();
  const notifications = page.getByTestId("notifications");
  await expect(notifications).toContainText("Monthly has exceeded your alert threshold");
  await expect(notifications).toContainText("Actual cost above 85%");
  await expect(notifications).toContainText("ops@example.com, finance@example.com");
  // Importing the same file again changes nothing: the alert fired once this month.
  const count = await notifications.locator("tbody tr").count();
  await page.goto("/billing");
  await hydrated(page);
  await page.getByLabel("Cost and Usage Report (CSV)").fill(`${HEADER}\na,${today}T00:00:00Z,AmazonEC2,60.00\nb,${today}T00:00:00Z,AmazonS3,30.00\n`);
  await page.getByRole("button", { name: "Import" }).click();
  await expect(page.getByTestId("import-result")).toContainText("Imported 2 lines");
  await page.goto("/billing/notifications");
  await expect(page.getByTestId("notifications").locator("tbody tr")).toHaveCount(count);
});

test("IAM users see billing only after the root user activates IAM access, and then as their policies allow", async ({ page, browser }) => {
  const account = await signUp(page, uniqueEmail("billing-access"), "Billing");
  serverBin(["user", "create", "--account", account, "--user", "biller", "--password-stdin"], "Initial-Harbor-7-Lantern");
  attachBilling(account, "biller");

  const context = await browser.newContext();
  const user = await context.newPage();
  await user.goto(`/signin/${account}`);
  await hydrated(user);
  await user.getByLabel("IAM user name").fill("biller");
  await user.getByLabel("Password").fill("Initial-Harbor-7-Lantern");
  await user.getByRole("button", { name: "Sign in" }).click();
  await expect(user.getByRole("heading", { name: "IAM Dashboard" })).toBeVisible();
  await user.goto("/billing");
  await expect(user.getByTestId("access-denied")).toContainText("IAM user and role access to Billing information is not activated");
  await user.goto("/account-settings");
  await expect(user.getByTestId("billing-access")).toContainText("Deactivated");
  await expect(user.getByRole("button", { name: "Activate IAM access" })).toHaveCount(0);

  await page.goto("/account-settings");
  await hydrated(page);
  await expect(page.getByTestId("billing-access")).toContainText("Deactivated");
  await page.getByRole("button", { name: "Activate IAM access" }).click();
  await expect(page.getByTestId("billing-access")).toContainText("Activated");

  await user.goto("/billing");
  await expect(user.getByTestId("month-to-date")).toHaveText("$0.00");
  await context.close();
});

/** Starts Python's aiosmtpd on the port the server sends alert emails to; returns its Maildir. */
async function smtpSink(): Promise<{ dir: string; stop: () => void }> {
  const port = process.env.SMTP_SINK_PORT;
  if (!port) throw new Error("SMTP_SINK_PORT must name the server's SMTP relay port (scripts/test.sh sets it)");
  // aiosmtpd's Mailbox handler makes the Maildir itself (it must not exist yet).
  const dir = join(mkdtempSync(join(tmpdir(), "smtp-sink-")), "maildir");
  const sink = spawn(process.env.PYTHON ?? "python3",
    ["-m", "aiosmtpd", "-n", "-l", `127.0.0.1:${port}`, "-c", "aiosmtpd.handlers.Mailbox", dir], { stdio: "inherit" });
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(Number(port), "127.0.0.1", () => { socket.end(); resolve(true); });
      socket.on("error", () => resolve(false));
    });
    if (up) return { dir, stop: () => sink.kill() };
    await new Promise((r) => setTimeout(r, 100));
  }
  sink.kill();
  throw new Error("the SMTP sink did not start");
}

function mailbox(dir: string): string {
  const folder = join(dir, "new");
  if (!existsSync(folder)) return ""; // made with the first message
  return readdirSync(folder).map((f) => readFileSync(join(folder, f), "utf8")).join("\n");
}

test("an alert's email reaches the SMTP relay, and the console says it was emailed", async ({ page }) => {
  const sink = await smtpSink();
  try {
    await signUp(page, uniqueEmail("billing-mail"), "Mail");
    await page.goto("/billing/budgets/create");
    await hydrated(page);
    await page.getByLabel("Zero spend budget").check();
    const name = `Zero ${Date.now()}`;
    await page.getByLabel("Budget name").fill(name);
    await page.getByLabel("Email recipients").fill("alerts@example.com");
    await page.getByRole("button", { name: "Create budget" }).click();
    await expect(page.getByTestId("alerts")).toContainText("Actual cost above $0.01");

    const today = new Date().toISOString().slice(0, 10);
    await page.goto("/billing");
    await hydrated(page);
    // The file picker puts the file's text in the box, to check before importing.
    const report = `${HEADER}\na,${today}T00:00:00Z,AWSLambda,0.42\n`;
    await page.getByLabel("Choose a CSV file").setInputFiles({ name: "report.csv", mimeType: "text/csv", buffer: Buffer.from(report) });
    await expect(page.getByLabel("Cost and Usage Report (CSV)")).toHaveValue(report);
    await page.getByRole("button", { name: "Import" }).click();
    await expect(page.getByTestId("import-result")).toContainText("1 new budget alerts");

    await expect.poll(() => mailbox(sink.dir), { timeout: 20_000 }).toContain(`Subject: AWS Budgets: ${name} has exceeded your alert threshold`);
    expect(mailbox(sink.dir)).toContain("To: alerts@example.com");
    await expect.poll(async () => {
      await page.goto("/billing/notifications");
      return page.getByTestId("delivery").first().textContent();
    }, { timeout: 20_000 }).toBe("Emailed");
  } finally {
    sink.stop();
  }
});
