// Loads a bundled authorizer as the Lambda runtime would (plain node, CommonJS `require`) and
// invokes its handler once per event, in order. Events come as JSON on argv[2]; each outcome
// is printed as one line `RESULT <json>`, so the test can tell them from the decision logs.
const { join } = require('node:path');

const events = JSON.parse(process.argv[2]);
const { handler } = require(join(process.env.LAMBDA_TASK_ROOT, 'index.js'));

(async () => {
  for (const event of events) {
    let outcome;
    try {
      outcome = { value: await handler(event) };
    } catch (error) {
      outcome = { error: { isError: error instanceof Error, name: error.name, message: error.message } };
    }
    process.stdout.write(`RESULT ${JSON.stringify(outcome)}\n`);
  }
})();
