// HybridTerwayNetwork from TypeScript, through the component package in ../../provider.
// Set up once: `pulumi package add ../../provider` (or <git URL of this repository>/provider@v0.1.0); it generates
// the SDK under sdks/, adds it to package.json and prints the import to use. The inputs are the stack
// configuration's keys (docs/configuration.md); these are the dev stack's values.
import * as pulumi from "@pulumi/pulumi";
import * as hybridTerway from "@pulumi/hybrid-terway";

const config = new pulumi.Config();
const network = new hybridTerway.HybridTerwayNetwork("hybrid", {
    scenario: "bgp",
    clusterId: "c8f1a2b3c4d5e6f708192a3b4c5d6e7f8",
    terway: {
        podVswitches: { "cn-hangzhou-h": ["vsw-bp1m7k2x9q4w6e8r0t2y4"] },
        serviceCidr: "172.21.0.0/20",
        securityGroupIds: ["sg-bp1d5f7h9j1k3m5n7p9r"],
    },
    kubeconfig: config.getSecret("kubeconfig"),   // optional; fetched from ACK when absent
});
export const readyForCloudNodes = network.readyForCloudNodes;
export const terwayRamUser = network.terwayRamUser;
