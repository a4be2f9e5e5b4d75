import json
import os


def hello(event, context):
    """Greets the caller by path parameter or ?name=, and says where it runs."""
    name = (event.get("pathParameters") or {}).get("name") \
        or (event.get("queryStringParameters") or {}).get("name", "world")
    print(f"greeting {name}")
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json"},
        "body": json.dumps({
            "message": f"Hello, {name}!",
            "function": context.function_name,
            "region": os.environ["AWS_REGION"],
            "remaining_ms": context.get_remaining_time_in_millis(),
        }),
    }
