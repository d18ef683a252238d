"""A real S3-compatible server for the tests: moto's, in this process, on loopback.

Each test gets a bucket of its own, readable by anyone (as a bucket behind a CDN is), and
credentials that only this server takes. No request leaves 127.0.0.1: boto3 finds the
credentials in the environment and is told not to ask a cloud machine's metadata service.
"""

import json
import secrets
import socket

REGION = "us-east-1"
ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "tests-only",
    "AWS_SECRET_ACCESS_KEY": "tests-only",
    "AWS_EC2_METADATA_DISABLED": "true",
}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class S3Server:
    def __init__(self):
        import boto3
        from moto.server import ThreadedMotoServer

        port = free_port()
        self.endpoint = f"http://127.0.0.1:{port}"
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        self._server.start()
        self.client = boto3.client("s3", endpoint_url=self.endpoint, region_name=REGION)

    def new_bucket(self):
        name = f"newsroom-media-{secrets.token_hex(4)}"
        self.client.create_bucket(Bucket=name)
        public_read = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{name}/*",
                }
            ],
        }
        self.client.put_bucket_policy(Bucket=name, Policy=json.dumps(public_read))
        return name

    def keys(self, bucket):
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", ()))

    def environment(self, bucket):
        """What the site's settings read to keep its pictures in `bucket`."""
        return {
            **ENVIRONMENT,
            "NEWSROOM_MEDIA_S3_BUCKET": bucket,
            "NEWSROOM_MEDIA_S3_ENDPOINT": self.endpoint,
            "NEWSROOM_MEDIA_S3_REGION": REGION,
        }

    def stop(self):
        self._server.stop()
