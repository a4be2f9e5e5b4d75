// The example function `make run` deploys: an ES module handler on the
// nodejs20.x runtime that greets, counts warm invocations and lists the
// functions on the platform with the AWS SDK v3 (pointed at Nimbus by the
// AWS_ENDPOINT_URL the platform sets).
import { LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";

const lambda = new LambdaClient({});
let invocations = 0;  // module scope: survives between warm invocations

export const handler = async (event, context) => {
  invocations += 1;
  console.log(`hello invoked with ${JSON.stringify(event)}`);
  const { Functions } = await lambda.send(new ListFunctionsCommand({}));
  return {
    message: `Hello, ${event.name ?? "world"}!`,
    invocationsOfThisInstance: invocations,
    functions: Functions.map((f) => f.FunctionName),
    requestId: context.awsRequestId,
    remainingMs: context.getRemainingTimeInMillis(),
  };
};
