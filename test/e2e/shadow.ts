/**
 * The capture panel lives in a closed shadow root: neither page scripts nor Playwright's selectors reach it. A person
 * does, with mouse and keyboard; so do these helpers, locating controls through the DevTools protocol (which sees
 * closed roots) and then clicking and typing like a user.
 */
import type { CDPSession, Page } from 'playwright-core';

interface DomNode {
  nodeId: number;
  nodeName: string;
  children?: DomNode[];
  shadowRoots?: DomNode[];
}

async function shadowRootOf(cdp: CDPSession, host: string): Promise<number | null> {
  const { root } = (await cdp.send('DOM.getDocument', { depth: -1, pierce: true })) as { root: DomNode };
  const stack: DomNode[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.nodeName.toLowerCase() === host && n.shadowRoots?.[0]) return n.shadowRoots[0].nodeId;
    stack.push(...(n.children ?? []), ...(n.shadowRoots ?? []));
  }
  return null;
}

export async function panel(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  const find = async (selector: string) => {
    const rootId = await shadowRootOf(cdp, 'latchkey-capture');
    if (!rootId) return null;
    const { nodeId } = (await cdp.send('DOM.querySelector', { nodeId: rootId, selector })) as { nodeId: number };
    return nodeId || null;
  };
  const center = async (selector: string) => {
    const nodeId = await find(selector);
    if (!nodeId) throw new Error(`no ${selector} in the panel`);
    const { model } = (await cdp.send('DOM.getBoxModel', { nodeId })) as { model: { content: number[] } };
    const [x1, y1, , , x3, y3] = model.content as [number, number, number, number, number, number];
    return { x: (x1 + x3) / 2, y: (y1 + y3) / 2 };
  };
  const rect = async (selector: string) => {
    const nodeId = await find(selector);
    if (!nodeId) throw new Error(`no ${selector} in the panel`);
    const { model } = (await cdp.send('DOM.getBoxModel', { nodeId })) as { model: { border: number[] } };
    const [x1, y1, , , x3, y3] = model.border as [number, number, number, number, number, number];
    return { x: x1, y: y1, width: x3 - x1, height: y3 - y1 };
  };
  return {
    rect,
    exists: async () => (await shadowRootOf(cdp, 'latchkey-capture')) !== null,
    text: async () => {
      const rootId = await shadowRootOf(cdp, 'latchkey-capture');
      if (!rootId) return '';
      const { outerHTML } = (await cdp.send('DOM.getOuterHTML', { nodeId: rootId })) as { outerHTML: string };
      return outerHTML.replace(/<style[\s\S]*?<\/style>/g, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
    },
    value: async (selector: string) => {
      const nodeId = await find(selector);
      const { object } = (await cdp.send('DOM.resolveNode', { nodeId: nodeId! })) as { object: { objectId: string } };
      const { result } = (await cdp.send('Runtime.callFunctionOn', { objectId: object.objectId, functionDeclaration: 'function() { return this.value; }', returnByValue: true })) as { result: { value: string } };
      return result.value;
    },
    click: async (selector: string) => {
      const { x, y } = await center(selector);
      await page.mouse.click(x, y);
    },
    fill: async (selector: string, text: string) => {
      const { x, y } = await center(selector);
      await page.mouse.click(x, y, { clickCount: 3 });
      await page.keyboard.press('Control+A');
      await page.keyboard.insertText(text);
    },
    close: () => cdp.detach(),
  };
}

/**
 * Evaluates an expression in the extension's content-script world of a page (its isolated world, which page scripts
 * cannot reach), as a compromised renderer running there could.
 */
export async function contentScriptWorld(page: Page, extensionId: string) {
  const cdp = await page.context().newCDPSession(page);
  const contexts: Array<{ id: number; origin: string; name: string; auxData?: { type?: string; isDefault?: boolean } }> = [];
  cdp.on('Runtime.executionContextCreated', (e: { context: (typeof contexts)[number] }) => contexts.push(e.context));
  await cdp.send('Runtime.enable');
  const world = () => contexts.find((c) => c.auxData?.type === 'isolated' && c.origin === `chrome-extension://${extensionId}`);
  for (let i = 0; i < 50 && !world(); i++) await new Promise((r) => setTimeout(r, 100));
  const ctx = world();
  if (!ctx) throw new Error('no content-script world on this page');
  return {
    evaluate: async <T>(expression: string): Promise<T> => {
      const { result, exceptionDetails } = (await cdp.send('Runtime.evaluate', { expression, contextId: ctx.id, awaitPromise: true, returnByValue: true })) as {
        result: { value: T };
        exceptionDetails?: { exception?: { description?: string } };
      };
      if (exceptionDetails) throw new Error(exceptionDetails.exception?.description ?? 'evaluation failed');
      return result.value;
    },
    close: () => cdp.detach(),
  };
}
