import BGP
import MRT

#if canImport(Glibc)
    import Glibc
#endif

/// Library passes over an MRT file, timed by the caller (benchmarks/run):
///
///     MRTBench count FILE              elements counted, no attribute touched
///     MRTBench decode FILE             every element's origin AS, AS path length, next hop, communities
///     MRTBench decode FILE PREFIX      the same, for elements inside PREFIX only (filter applied early)
///     MRTBench full FILE [PREFIX]      every element's attributes decoded into owned values (arrays)
///
/// Prints the number of elements and a checksum of what was read, so that no work can be optimised away.
@main
struct MRTBench {
    static func main() throws {
        let args = CommandLine.arguments
        guard args.count >= 3 else {
            print("usage: MRTBench count|decode FILE [PREFIX]")
            exit(2)
        }
        var filter = RouteFilter()
        if args.count >= 4 {
            guard let prefix = IPPrefix(args[3]) else {
                print("bad prefix \(args[3])")
                exit(2)
            }
            filter.prefixes = [prefix]
            filter.prefixMatch = .moreSpecific
        }
        let reader = try MRTReader.open(path: args[2])
        var decoder = MRTDecoder(filter: filter)
        var elements = 0
        var checksum: UInt64 = 0
        let decode = args[1] == "decode"
        let full = args[1] == "full"
        var failures = 0
        while let record = try reader.next() {
            _ = decoder.decode(record) { e in
                elements += 1
                if full {
                    if let a = try? e.attributes.materialize() {
                        checksum &+= UInt64(a.effectiveASPath?.pathLength ?? 0) &+ UInt64(a.communities.count)
                    } else if e.kind == .announcement || e.kind == .ribEntry {
                        failures += 1
                    }
                    return
                }
                guard decode else { return }
                checksum &+= UInt64(e.prefix.length) &+ UInt64(e.peerASN)
                let a = e.attributes
                if let origin = a.originASN { checksum &+= UInt64(origin) }
                if let range = a.asPath {
                    var at = range.lowerBound
                    while at + 2 <= range.upperBound {
                        checksum &+= UInt64(a.bytes[at + 1])
                        at += 2 + Int(a.bytes[at + 1]) * a.asnSize
                    }
                }
                if let nh = e.nextHop { checksum &+= nh.low }
                if let c = a.communities { checksum &+= UInt64(c.count / 4) }
            }
        }
        print("\(elements) \(checksum) \(failures)")
    }
}
