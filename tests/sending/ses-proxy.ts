import { createServer, type IncomingMessage } from 'node:http';
import { freePort } from '../helpers/net';

/** One SES query-protocol request as the SDK sent it (form fields, e.g. `Tags.member.1.Name`). */
export interface SesRequest {
  action: string;
  form: URLSearchParams;
  /** The `send_id` tag, read back from the form. */
  sendId?: string;
}

export type Fault = { status: number; body: string; headers?: Record<string, string> };

/** SES v1 (query protocol) error body: `Sender` faults are the caller's, `Receiver` SES's. */
export const sesError = (code: string, message: string, type: 'Sender' | 'Receiver' = 'Sender', status = 400): Fault => ({
  status,
  body: `<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>${type}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>fault-0000</RequestId></ErrorResponse>`,
});

/**
 * A tiny HTTP proxy on 127.0.0.1 in front of aws-ses-v2-local: it records every request the SDK
 * sends (so tests see the ConfigurationSetName and Tags the local server drops), and `fault`
 * may answer a request itself instead of forwarding it. `accepted` lists what reached SES and
 * got a MessageId back, `faulted` what the proxy answered.
 */
export async function sesProxy(target: string, fault: (request: SesRequest, n: number) => Fault | undefined = () => undefined) {
  const requests: SesRequest[] = [];
  const accepted: Array<SesRequest & { messageId: string }> = [];
  const faulted: Array<SesRequest & { fault: Fault }> = [];
  const port = await freePort();
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const form = new URLSearchParams(body.toString('utf8'));
    const sendId = tagsOf(form).send_id;
    const request: SesRequest = { action: form.get('Action') ?? '', form, ...(sendId === undefined ? {} : { sendId }) };
    requests.push(request);
    const injected = request.action === 'SendRawEmail' ? fault(request, requests.length) : undefined;
    if (injected) {
      faulted.push({ ...request, fault: injected });
      res.writeHead(injected.status, { 'content-type': 'text/xml', ...injected.headers }).end(injected.body);
      return;
    }
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'connection')) as Record<
      string,
      string
    >;
    const upstream = await fetch(`${target}${req.url ?? '/'}`, { method: req.method ?? 'POST', headers, body: new Uint8Array(body) });
    const text = await upstream.text();
    const messageId = /<MessageId>([^<]+)<\/MessageId>/.exec(text)?.[1];
    if (upstream.status === 200 && messageId) accepted.push({ ...request, messageId });
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'text/xml' }).end(text);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    accepted,
    faulted,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** `Tags.member.N.Name/Value` pairs as a record. */
export function tagsOf(form: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 1; form.has(`Tags.member.${i}.Name`); i++)
    out[form.get(`Tags.member.${i}.Name`)!] = form.get(`Tags.member.${i}.Value`) ?? '';
  return out;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
