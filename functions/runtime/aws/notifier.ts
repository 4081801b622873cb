import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { backoffMs, isRetryable, sleep } from './client-config.ts';
import { DEFAULT_RETRY, type RetryPolicy } from './put-events.ts';

/** Publishes a notice for humans to the SNS topic, retried on throttling or 5xx; throws after. */
export function snsNotifier(client: SNSClient, topicArn: string, policy: RetryPolicy = DEFAULT_RETRY) {
  const wait = policy.sleep ?? sleep;
  return async (notice: { readonly subject: string; readonly message: string }): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await client.send(
          new PublishCommand({ TopicArn: topicArn, Subject: notice.subject, Message: notice.message }),
        );
        return;
      } catch (error) {
        if (!isRetryable(error) || attempt >= policy.maxAttempts) throw error;
        await wait(backoffMs(attempt, policy.baseDelayMs, policy.maxDelayMs, policy.random));
      }
    }
  };
}
