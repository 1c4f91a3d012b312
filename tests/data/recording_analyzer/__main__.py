"""An analyzer that records every call it gets (method and request, as JSON lines) and judges nothing."""

import json
import os
import sys
from concurrent import futures

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

LOG = os.environ["RECORD_TO"]


def log(method, request):
    with open(LOG, "a", encoding="utf-8") as out:
        out.write(json.dumps({"method": method, "request": json_format.MessageToDict(request)}) + "\n")


class Recorder(analyzer_pb2_grpc.AnalyzerServicer):
    def GetAnalyzerInfo(self, request, context):
        log("GetAnalyzerInfo", request)
        policy = analyzer_pb2.PolicyInfo(
            name="fix", description="adds a label", enforcementLevel=analyzer_pb2.REMEDIATE,
            policy_type=analyzer_pb2.POLICY_TYPE_RESOURCE,
        )
        return analyzer_pb2.AnalyzerInfo(name="recorder", version="1.0.0", supportsConfig=True, policies=[policy])

    def ConfigureStack(self, request, context):
        log("ConfigureStack", request)
        return analyzer_pb2.AnalyzerStackConfigureResponse()

    def Configure(self, request, context):
        log("Configure", request)
        return empty_pb2.Empty()

    def Remediate(self, request, context):
        log("Remediate", request)
        response = analyzer_pb2.RemediateResponse()
        if request.name == "remediated":
            props = json_format.MessageToDict(request.properties)
            props["metadata"]["labels"] = {"fixed": "yes"}
            fixed = struct_pb2.Struct()
            fixed.update(props)
            response.remediations.append(analyzer_pb2.Remediation(policyName="fix", properties=fixed))
        if request.name == "unremediable":
            response.remediations.append(analyzer_pb2.Remediation(policyName="fix", diagnostic="can't fix it yet"))
        return response

    def Analyze(self, request, context):
        log("Analyze", request)
        return analyzer_pb2.AnalyzeResponse()

    def AnalyzeStack(self, request, context):
        log("AnalyzeStack", request)
        return analyzer_pb2.AnalyzeResponse()


server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
analyzer_pb2_grpc.add_AnalyzerServicer_to_server(Recorder(), server)
port = server.add_insecure_port("127.0.0.1:0")
server.start()
sys.stdout.write(f"{port}\n")
sys.stdout.flush()
server.wait_for_termination()
