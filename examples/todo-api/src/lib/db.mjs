// The table, through the AWS SDK v3 DocumentClient. Lambda's Node.js runtime
// offers the SDK; Nimbus points it at its own endpoint.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

export const TABLE = process.env.TODOS_TABLE;
export const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export function reply(statusCode, body) {
  return {
    statusCode,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  };
}

// The signed-in user, from the JWT authorizer's claims.
export function user(event) {
  return event.requestContext?.authorizer?.jwt?.claims?.sub ?? "anonymous";
}

export function parseBody(event) {
  try {
    const text = event.isBase64Encoded ? Buffer.from(event.body, "base64").toString() : event.body;
    const value = JSON.parse(text ?? "");
    return typeof value === "object" && value !== null ? value : null;
  } catch {
    return null;
  }
}
