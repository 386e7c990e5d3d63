"""A gRPC client not written in Node, with Debian's python3-grpcio.

  health_check.py HOST:PORT [SERVICE]   grpc.health.v1.Health/Check; prints the status name
  health_check.py HOST:PORT --list      server reflection; prints the listed service names

Raw bytes on purpose (no generated stubs): an empty HealthCheckRequest is b"", the response's
field 1 (status) is a varint; a reflection list_services request is field 7, an empty string.
"""
import sys

import grpc

STATUS = {0: "UNKNOWN", 1: "SERVING", 2: "NOT_SERVING", 3: "SERVICE_UNKNOWN"}


def list_services(target: str) -> int:
    with grpc.insecure_channel(target) as channel:
        info = channel.stream_stream("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo")
        for response in info(iter([b"\x3a\x00"]), timeout=5):
            # Service names are the printable runs of the response; good enough to list them.
            names = [w for w in response.split(b"\x0a") if b"." in w]
            for name in names:
                print(name[1:].decode("ascii", "replace"))
            return 0
    return 1


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[2] == "--list":
        return list_services(sys.argv[1])
    target, service = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "")
    request = b"" if service == "" else b"\x0a" + bytes([len(service)]) + service.encode()
    with grpc.insecure_channel(target) as channel:
        check = channel.unary_unary("/grpc.health.v1.Health/Check")
        try:
            response = check(request, timeout=5)
        except grpc.RpcError as err:
            print(f"ERROR {err.code().name} {err.details()}")
            return 1
    status = response[1] if len(response) >= 2 and response[0] == 0x08 else 0
    print(STATUS.get(status, str(status)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
