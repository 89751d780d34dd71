import type { BrowserContext, Page } from 'playwright-core';

export interface Visit {
  page: Page;
  status: number | undefined;
  consoleErrors: string[];
  failedRequests: string[];
  /** Requests to anything but the loopback server (data: and blob: URLs never leave the page). */
  externalRequests: string[];
}

const LOCAL = /^(?:data:|blob:|https?:\/\/127\.0\.0\.1(?::\d+)?\/)/;

/** Opens a page and records every console error, failed or external request while it loads. */
export async function visit(context: BrowserContext, url: string): Promise<Visit> {
  const page = await context.newPage();
  const result: Visit = {
    page,
    status: undefined,
    consoleErrors: [],
    failedRequests: [],
    externalRequests: [],
  };
  page.on('console', (message) => {
    if (message.type() === 'error') result.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => result.consoleErrors.push(`uncaught: ${error.message}`));
  page.on('request', (request) => {
    if (!LOCAL.test(request.url())) result.externalRequests.push(request.url());
  });
  page.on('requestfailed', (request) =>
    result.failedRequests.push(`${request.url()} (${request.failure()?.errorText ?? 'failed'})`),
  );
  page.on('response', (response) => {
    if (response.status() >= 400) result.failedRequests.push(`${response.url()} (HTTP ${response.status()})`);
  });
  const response = await page.goto(url, { waitUntil: 'networkidle' });
  result.status = response?.status();
  return result;
}
