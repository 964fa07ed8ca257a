import BGP
import Testing
import VigilTesting

@testable import Vigil

@Suite(.ownThread) struct PrefixIndexTests {
    let index = PrefixIndex(
        ["175.45.176.0/22", "175.45.177.0/24", "10.0.0.0/8", "2001:db8::/32"].compactMap { IPPrefix($0) })

    @Test(arguments: [
        ("175.45.176.0/22", true),  // equal
        ("175.45.178.0/25", true),  // inside
        ("175.45.0.0/16", true),  // covering
        ("0.0.0.0/0", true),  // the default route covers everything
        ("175.45.180.0/24", false),  // right after the /22
        ("175.45.175.0/24", false),  // right before
        ("11.0.0.0/8", false),
        ("10.255.255.255/32", true),
        ("2001:db8:1::/48", true),
        ("2001:db9::/32", false),
        ("::/0", true),
    ])
    func overlap(prefix: String, expected: Bool) {
        #expect(index.overlaps(IPPrefix(prefix)!) == expected)
    }
}

extension PrefixIndexTests {
    /// Large sets take the per-/16 bucket path: it must answer as a brute-force scan does.
    @Test func largeSetsAgreeWithABruteForceScan() {
        var generator = SystemRandomNumberGenerator()
        var watched: [IPPrefix] = []
        for _ in 0..<2000 {
            let length = Int.random(in: 8...28, using: &generator)
            watched.append(
                IPPrefix(address: IPAddress(v4: UInt32.random(in: 0...UInt32.max, using: &generator)), length: length))
        }
        let big = PrefixIndex(watched)
        var mismatches = 0
        for _ in 0..<20000 {
            let length = Int.random(in: 0...32, using: &generator)
            let probe = IPPrefix(
                address: IPAddress(v4: UInt32.random(in: 0...UInt32.max, using: &generator)), length: length)
            if big.overlaps(probe) != watched.contains(where: { $0.overlaps(probe) }) { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }
}
