import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { hydrated, signUp, uniqueEmail } from "./helpers";

/** Runs the AWS CLI (installed into .venv by scripts/setup.sh) with a key; returns stdout or throws. */
function aws(args: string[], key: string, secret: string): string {
  const cli = process.env.AWS_CLI ?? "aws";
  const base = process.env.BASE_URL ?? "http://127.0.0.1:3000";
  return execFileSync(cli, ["--endpoint-url", base, "--output", "json", ...args], {
    env: { ...process.env, AWS_ACCESS_KEY_ID: key, AWS_SECRET_ACCESS_KEY: secret, AWS_DEFAULT_REGION: "us-east-1" },
    stdio: ["ignore", "pipe", "pipe"],
  }).toString();
}

test("a key made in the console works with the AWS CLI until it is made inactive", async ({ page }) => {
  const account = await signUp(page, uniqueEmail("keys"), "Keys");
  await page.goto("/security-credentials");
  await hydrated(page);
  await expect(page.getByTestId("no-keys")).toBeVisible();
  await page.getByRole("button", { name: "Create access key" }).click();
  const id = (await page.getByTestId("new-key-id").textContent()) ?? "";
  const secret = (await page.getByTestId("new-key-secret").textContent()) ?? "";
  expect(id).toMatch(/^AKIA[A-Z2-7]{16}$/);
  expect(secret).toHaveLength(40);
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download .csv file" }).click();
  const csv = readFileSync(await (await download).path(), "utf8");
  expect(csv).toBe(`Access key ID,Secret access key\n${id},${secret}\n`);

  const who = JSON.parse(aws(["sts", "get-caller-identity"], id, secret));
  expect(who.Arn).toBe(`arn:aws:iam::${account}:root`);
  aws(["iam", "create-user", "--user-name", "from-cli"], id, secret);
  await page.goto("/users");
  await expect(page.getByTestId("users-table")).toContainText("from-cli");

  await page.goto("/security-credentials");
  await hydrated(page);
  await expect(page.getByTestId("access-keys")).toContainText("us-east-1");
  await page.getByRole("button", { name: "Make inactive" }).click();
  await expect(page.getByTestId("access-keys")).toContainText("Inactive");
  let refused = "";
  try {
    aws(["iam", "list-users"], id, secret);
  } catch (e) {
    refused = String((e as { stderr?: Buffer }).stderr ?? e);
  }
  expect(refused).toContain("InvalidClientTokenId");

  await page.getByRole("button", { name: "Delete" }).click();
  await page.getByLabel("To confirm deletion, enter the access key ID").fill(id);
  await page.getByRole("group").getByRole("button", { name: "Delete" }).click();
  await expect(page.getByTestId("no-keys")).toBeVisible();
});
