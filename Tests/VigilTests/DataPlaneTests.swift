import Testing
import VigilTesting

@testable import Vigil

/// The data-plane diagnosis on hand-built probe and traceroute sequences.
@Suite(.ownThread) struct DataPlaneTests {
    /// Samples of `host` every 60 s from 0: `pattern` as reachable (RTT given) or not (nil).
    static func series(_ host: String, _ rtts: [Double?]) -> [ProbeSample] {
        rtts.enumerated().map { i, rtt in
            ProbeSample(host: host, time: Double(i) * 60, reachable: rtt != nil, rttMs: rtt)
        }
    }

    static let now = 9.0 * 60  // the tenth sample
    static let window = 180.0  // the last three samples

    @Test("every host answering is healthy; no sample in the window is no probes")
    func healthy() {
        let s =
            Self.series("ns1", Array(repeating: 20, count: 10)) + Self.series("web", Array(repeating: 30, count: 10))
        #expect(DataPlaneDiagnosis.verdict(samples: s, now: Self.now, window: Self.window, routesUp: 1) == .healthy)
        #expect(DataPlaneDiagnosis.verdict(samples: s, now: 99_999, window: Self.window, routesUp: 1) == .noProbes)
    }

    @Test("one host failing while the others answer is a host problem")
    func oneHost() {
        let s =
            Self.series("ns1", Array(repeating: 20, count: 10))
            + Self.series("web", Array(repeating: 30, count: 7) + [nil, nil, nil])
        #expect(
            DataPlaneDiagnosis.verdict(samples: s, now: Self.now, window: Self.window, routesUp: 1)
                == .hostProblem(["web"]))
    }

    @Test("all hosts failing with routes up and steady round trips before: an abrupt data-plane outage")
    func abrupt() {
        let s =
            Self.series("ns1", Array(repeating: 20, count: 7) + [nil, nil, nil])
            + Self.series("web", Array(repeating: 30, count: 7) + [nil, nil, nil])
        #expect(
            DataPlaneDiagnosis.verdict(samples: s, now: Self.now, window: Self.window, routesUp: 1)
                == .dataPlaneOutage(congestion: false))
    }

    @Test("round trips tripling and loss before the failure: the congestion (flood) signature")
    func congestion() {
        let s =
            Self.series("ns1", [20, 20, 20, 60, nil, 80, nil, nil, nil, nil])
            + Self.series("web", [30, 30, 30, 100, 120, nil, nil, nil, nil, nil])
        #expect(
            DataPlaneDiagnosis.verdict(samples: s, now: Self.now, window: Self.window, routesUp: 1)
                == .dataPlaneOutage(congestion: true))
    }

    @Test("all hosts failing with the routes down: the probes corroborate the routing diagnosis")
    func corroborates() {
        let s =
            Self.series("ns1", Array(repeating: 20, count: 7) + [nil, nil, nil])
            + Self.series("web", Array(repeating: 30, count: 7) + [nil, nil, nil])
        #expect(
            DataPlaneDiagnosis.verdict(samples: s, now: Self.now, window: Self.window, routesUp: 0.25)
                == .corroboratesRouting)
    }

    @Test("traceroutes: stopped in transit, inside the upstream, at its border, inside the target")
    func breakpoints() {
        let target = Target.northKorea
        let path: [(address: String, asn: UInt32?)] = [
            ("198.18.1.1", 64500), ("198.18.2.1", 4837), ("198.18.3.1", 4837), ("198.18.4.1", 131279),
            ("198.18.4.9", 131279),
        ]
        let baseline = TraceSample(host: "h", time: 0, reached: true, hops: path)
        func stop(after n: Int) -> TraceSample {
            TraceSample(host: "h", time: 60, reached: false, hops: Array(path.prefix(n)))
        }
        #expect(
            DataPlaneDiagnosis.breakpoint(failing: stop(after: 1), baseline: baseline, target: target)
                == .beforeUpstreams(64500))
        #expect(
            DataPlaneDiagnosis.breakpoint(failing: stop(after: 2), baseline: baseline, target: target)
                == .insideUpstream(4837))
        #expect(
            DataPlaneDiagnosis.breakpoint(failing: stop(after: 3), baseline: baseline, target: target)
                == .atBorder(4837))
        #expect(
            DataPlaneDiagnosis.breakpoint(failing: stop(after: 4), baseline: baseline, target: target) == .insideTarget)
        #expect(DataPlaneDiagnosis.breakpoint(failing: baseline, baseline: baseline, target: target) == .unknown)
    }
}
