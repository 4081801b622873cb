import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';

/**
 * Publishes a notice for humans to the SNS topic. Throttling and 5xx are retried by the SDK
 * (`client-config.ts`); after that it throws, and the caller reports the failure.
 */
export function snsNotifier(client: SNSClient, topicArn: string) {
  return async (notice: { readonly subject: string; readonly message: string }): Promise<void> => {
    await client.send(
      new PublishCommand({ TopicArn: topicArn, Subject: notice.subject, Message: notice.message }),
    );
  };
}
