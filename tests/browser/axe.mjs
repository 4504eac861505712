#!/usr/bin/env node
// Check one HTML file in headless Chromium: axe-core accessibility rules, requests to other
// hosts (blocked and recorded) and console errors; optionally a full-page screenshot.
//
//   node axe.mjs PAGE.html [--out RESULT.json] [--width 1280] [--screenshot SHOT.png]
//                          [--chromium /usr/bin/chromium] [--timeout 60000]
//
// Writes JSON to --out (or stdout):
//   {"url", "width", "violations": [...axe violations...], "passes": N, "incomplete": N,
//    "external_requests": ["https://..."], "console_errors": ["..."], "layout": {...}}
// "layout" is measured at the viewport set (any width, 320 px included; Chromium's own
// --window-size cannot go below 500 px): "scroll_width" of the page, "overflow" (visible
// elements that reach past the viewport's edge and are not inside a scroll container),
// "broken_words" (words of letters and digits drawn on more than one line) and "images"
// (each <figure> image's rendered and natural width, to work out its text's size).
// Exit status: 0 when the checks ran (whatever they found), 2 on a usage error, 1 when the
// browser could not be started or the page could not be checked.

import { mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import process from "node:process";

import axe from "axe-core";
import { chromium } from "playwright-core";

const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
];

function usage(message) {
  process.stderr.write(
    `${message}\nusage: node axe.mjs PAGE.html [--out RESULT.json] [--width PX] ` +
      `[--screenshot SHOT.png] [--chromium PATH] [--timeout MS]\n`,
  );
  process.exit(2);
}

function parseArgs(argv) {
  const options = {
    page: null,
    out: null,
    width: 1280,
    screenshot: null,
    chromium: process.env.TOOLKIT_CHROMIUM || "/usr/bin/chromium",
    timeout: 60000,
  };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(`${arg} needs a value`);
      i += 1;
      return argv[i];
    };
    if (arg === "--out") options.out = value();
    else if (arg === "--width") options.width = Number.parseInt(value(), 10);
    else if (arg === "--screenshot") options.screenshot = value();
    else if (arg === "--chromium") options.chromium = value();
    else if (arg === "--timeout") options.timeout = Number.parseInt(value(), 10);
    else if (arg.startsWith("--")) usage(`unknown option ${arg}`);
    else if (options.page === null) options.page = arg;
    else usage(`unexpected argument ${arg}`);
  }
  if (options.page === null) usage("no HTML file given");
  if (!Number.isInteger(options.width) || options.width < 200) usage("--width must be >= 200");
  if (!Number.isInteger(options.timeout) || options.timeout <= 0) usage("--timeout must be > 0");
  if (!existsSync(options.page)) usage(`no such file: ${options.page}`);
  if (!existsSync(options.chromium)) usage(`no Chromium at ${options.chromium}`);
  return options;
}

// Keep only what a reader of the report needs from each axe violation.
function slim(violation) {
  return {
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    helpUrl: violation.helpUrl,
    tags: violation.tags,
    nodes: violation.nodes.map((node) => ({
      target: node.target,
      html: node.html,
      impact: node.impact,
      failureSummary: node.failureSummary,
    })),
  };
}

// Runs in the page: what a reader at this viewport width would see cut, pushed sideways or
// broken. Visually hidden text (for screen readers) and the skip link, which sit off-screen
// on purpose, are left out.
function measureLayout() {
  const viewport = document.documentElement.clientWidth;
  const hidden = (el) => {
    if (el.closest(".skip-link, [hidden], [aria-hidden='true']") !== null) return true;
    for (let a = el; a && a !== document.body; a = a.parentElement) {
      const style = getComputedStyle(a); // visually hidden: clipped away for screen readers
      if (style.clipPath !== "none" || (style.clip && style.clip !== "auto")) return true;
    }
    return false;
  };
  const scroller = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const x = getComputedStyle(a).overflowX;
      if (x === "auto" || x === "scroll") return a;
    }
    return null;
  };
  const describe = (el) => {
    const cls = typeof el.className === "string" && el.className ? `.${el.className.trim().split(/\s+/).join(".")}` : "";
    const text = (el.textContent || "").replace(/\s+/g, " ").trim().slice(0, 60);
    return `<${el.tagName.toLowerCase()}${cls}> "${text}"`;
  };
  const overflow = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (hidden(el)) continue;
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;
    if (box.right <= viewport + 0.5 && box.left >= -0.5) continue;
    if (scroller(el) !== null) continue; // the scroll container is checked as an element
    overflow.push({ element: describe(el), left: box.left, right: box.right });
  }
  const brokenWords = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  const word = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || hidden(parent) || parent.closest("style, script, title")) continue;
    if (parent.getClientRects().length === 0) continue;
    for (const match of node.data.matchAll(word)) {
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = new Set(
        [...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)),
      );
      if (tops.size > 1) brokenWords.push({ word: match[0], element: describe(parent) });
    }
  }
  const images = [...document.querySelectorAll("figure img")].map((img) => ({
    alt: (img.getAttribute("alt") || "").slice(0, 60),
    rendered_width: img.getBoundingClientRect().width,
    natural_width: img.naturalWidth,
    in_scroll_container: scroller(img) !== null,
  }));
  return {
    viewport,
    scroll_width: document.documentElement.scrollWidth,
    overflow,
    broken_words: brokenWords,
    images,
  };
}

async function check(options) {
  const url = pathToFileURL(resolve(options.page)).href;
  const profile = mkdtempSync(join(tmpdir(), "axe-chromium-"));
  const externalRequests = [];
  const consoleErrors = [];
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: options.chromium,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: options.width, height: 900 },
      timeout: options.timeout,
      offline: false,
      serviceWorkers: "block",
      // The briefing forbids every script by its Content-Security-Policy; axe is injected by
      // the test, not by the page, so the policy is bypassed for the injection only.
      bypassCSP: true,
    });
    // Anything that is not the file itself (or an inline data: URL) would need another host:
    // record it and never let it out.
    await context.route(
      (requestUrl) => !["file:", "data:", "blob:", "about:"].includes(requestUrl.protocol),
      async (route) => {
        externalRequests.push(route.request().url());
        await route.abort("blockedbyclient");
      },
    );
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(options.timeout);
    page.on("console", (message) => {
      if (message.type() === "error") consoleErrors.push(message.text());
    });
    page.on("pageerror", (error) => consoleErrors.push(String(error)));
    await page.goto(url, { waitUntil: "load", timeout: options.timeout });
    await page.addScriptTag({ content: axe.source });
    const results = await page.evaluate(
      (tags) =>
        window.axe.run(document, {
          runOnly: { type: "tag", values: tags },
          resultTypes: ["violations"],
        }),
      TAGS,
    );
    const layout = await page.evaluate(measureLayout);
    if (options.screenshot) {
      await page.screenshot({ path: options.screenshot, fullPage: true });
    }
    // Errors caused by the blocked requests themselves are reported as external_requests.
    const errors = consoleErrors.filter((text) => !text.includes("ERR_BLOCKED_BY_CLIENT"));
    return {
      url,
      width: options.width,
      axe_version: results.testEngine?.version ?? axe.version,
      violations: results.violations.map(slim),
      passes: results.passes.length,
      incomplete: results.incomplete.length,
      external_requests: [...new Set(externalRequests)],
      console_errors: errors,
      layout,
    };
  } finally {
    if (context) await context.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  }
}

const options = parseArgs(process.argv.slice(2));
try {
  const result = await check(options);
  const text = `${JSON.stringify(result, null, 2)}\n`;
  if (options.out) writeFileSync(options.out, text);
  else process.stdout.write(text);
} catch (error) {
  process.stderr.write(`axe.mjs: ${options.page}: ${error?.message ?? error}\n`);
  process.exit(1);
}
