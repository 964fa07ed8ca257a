import RISLive
import Testing
import Vigil
import VigilTesting

@testable import VigilLive

/// The RIS Live subscriptions `vigil watch` makes for a target, worked out by hand from its definition.
@Suite(.ownThread) struct RISSubscriptionTests {
    @Test("North Korea: the /22 with more- and less-specifics (its /24s are inside it), its origin and both upstreams")
    func northKorea() {
        let subs = RISSubscription.covering(.northKorea)
        #expect(
            subs.map(\.frame) == [
                #"{"type":"ris_subscribe","data":{"prefix":"175.45.176.0/22","moreSpecific":true,"lessSpecific":true,"type":"UPDATE","socketOptions":{"includeRaw":false}}}"#,
                #"{"type":"ris_subscribe","data":{"path":"131279$","type":"UPDATE","socketOptions":{"includeRaw":false}}}"#,
                #"{"type":"ris_subscribe","data":{"path":"4837$","type":"UPDATE","socketOptions":{"includeRaw":false}}}"#,
                #"{"type":"ris_subscribe","data":{"path":"20485$","type":"UPDATE","socketOptions":{"includeRaw":false}}}"#,
            ])
    }
}
