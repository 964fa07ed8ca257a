import BGP
import Testing

@testable import Vigil

@Suite struct PrefixIndexTests {
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
