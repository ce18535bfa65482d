/** The part of mailparser's API these tests use (the package ships no types). */
declare module 'mailparser' {
  interface AddressObject {
    value: Array<{ name: string; address?: string }>;
    text: string;
  }
  interface ParsedMail {
    subject?: string;
    text?: string;
    html: string | false;
    messageId?: string;
    date?: Date;
    from?: AddressObject;
    to?: AddressObject | AddressObject[];
    replyTo?: AddressObject;
    bcc?: AddressObject | AddressObject[];
    headers: Map<string, unknown>;
  }
  export function simpleParser(source: Buffer | string): Promise<ParsedMail>;
}
