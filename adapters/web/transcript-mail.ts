import { timestampDate } from "@bufbuild/protobuf/wkt";
import { createTransport } from "nodemailer";
import { type ConversationMessage, MessageSender } from "../../proto/index.js";

/** Sends a chat's transcript to the customer who asked for it. */
export interface TranscriptMailer {
  send(mail: {
    to: string;
    name: string;
    contactId: string;
    messages: readonly ConversationMessage[];
  }): Promise<void>;
  close(): void;
}

/**
 * nodemailer over `--smtp-outbound-url`, From `--email-from`. Undefined when no relay is
 * configured: the page then gets the error frame "email not configured".
 */
export function createTranscriptMailer(config: {
  readonly smtpOutboundUrl?: string;
  readonly emailFrom: string;
}): TranscriptMailer | undefined {
  if (config.smtpOutboundUrl === undefined) return undefined;
  const transport = createTransport({
    url: config.smtpOutboundUrl,
    // The customer is waiting for the answer frame: fail in seconds, not nodemailer's minutes.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  return {
    async send({ to, name, contactId, messages }) {
      const lines = messages.map((m) => {
        const time = m.time === undefined ? "" : `${timestampDate(m.time).toISOString()} `;
        const who =
          m.sender === MessageSender.AGENT
            ? m.senderDisplayName || "Agent"
            : m.sender === MessageSender.CUSTOMER
              ? m.senderDisplayName || name
              : "—";
        return `${time}${who}: ${m.text}`;
      });
      await transport.sendMail({
        from: config.emailFrom,
        to: { name, address: to },
        subject: `Your chat transcript [#${contactId}]`,
        text: [
          `Hello ${name},`,
          "",
          "here is the transcript of your chat with us.",
          "",
          ...lines,
          "",
          `Reference: ${contactId}`,
        ].join("\n"),
        headers: { "Auto-Submitted": "auto-generated" },
      });
    },
    close() {
      transport.close();
    },
  };
}
