import Foundation
import MRT
import Testing
import VigilTesting

/// gzip and bzip2 decoding, checked against the `gzip` and `bzip2` command-line tools.
@Suite(.ownThread) struct DecompressionTests {
    func readAll(_ source: ByteSource) throws -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 10_007)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 { return result }
            result += chunk[0..<n]
        }
    }

    func fileBytes(_ relative: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: try Fixtures.path(relative))))
    }

    func tool(_ name: String, _ args: [String], input: [UInt8]) throws -> [UInt8] {
        Array(try Tools.run(try Tools.which(name, package: name), args, input: Data(input)).stdout)
    }

    @Test func gzipWithSeveralMembers() throws {
        let a = try fileBytes("mrt/bgpdump__updates.20020722.2238.gz")
        let b = try fileBytes("mrt/bgpdump__updates.long_withdrawal.gz")
        let expected = try tool("gzip", ["-dc"], input: a + b)
        let source = try GzipByteSource(input: MemoryByteSource(a + b))
        let got = try readAll(source)
        #expect(got.count == expected.count && got.elementsEqual(expected))
        #expect(source.problems.isEmpty)
    }

    @Test func bzip2WithSeveralStreams() throws {
        let a = try fileBytes("mrt/bgpkit__local_only_updates.bz2")
        let expected = try tool("bzip2", ["-dc"], input: a + a)
        let source = try Bzip2ByteSource(input: MemoryByteSource(a + a))
        let got = try readAll(source)
        #expect(got.count == expected.count && got.elementsEqual(expected))
        #expect(source.problems.isEmpty)
    }

    @Test func truncatedGzipYieldsWhatItHolds() throws {
        let a = try fileBytes("mrt/bgpdump__updates.20070211.0141.gz")
        let full = try tool("gzip", ["-dc"], input: a)
        let source = try GzipByteSource(input: MemoryByteSource(Array(a[0..<(a.count / 2)])))
        let partial = try readAll(source)
        #expect(partial.count > full.count / 4)
        #expect(full[0..<partial.count].elementsEqual(partial))
        #expect(source.problems.map(\.message) == ["gzip stream is truncated: it ends inside a compressed member"])
    }

    @Test func corruptGzipStopsWithAReport() throws {
        var a = try fileBytes("mrt/bgpdump__updates.20070211.0141.gz")
        let full = try tool("gzip", ["-dc"], input: a)
        for i in stride(from: a.count / 2, to: a.count / 2 + 64, by: 1) { a[i] ^= 0x5A }
        let source = try GzipByteSource(input: MemoryByteSource(a))
        // Deflate notices damage late (at the latest by the CRC), so bytes before the report may be wrong;
        // what matters is a report instead of a crash or a hang, and that the first intact part survives.
        let partial = try readAll(source)
        let intact = a.count / 4
        #expect(partial.count >= intact)
        #expect(Array(full[0..<intact]).elementsEqual(partial[0..<intact]))
        #expect(source.problems.count == 1)
    }

    @Test func compressionIsToldByMagicBytes() throws {
        let gz = try fileBytes("mrt/bgpdump__updates.20020722.2238.gz")
        let bz = try fileBytes("mrt/hask-mrt__update.bz2")
        let raw = try fileBytes("mrt/mrtparse__quagga_rib")
        #expect(gz.withUnsafeBytes { MRTCompression.detect($0) } == .gzip)
        #expect(bz.withUnsafeBytes { MRTCompression.detect($0) } == .bzip2)
        #expect(raw.withUnsafeBytes { MRTCompression.detect($0) } == .none)
        // A gzip file with a misleading name is still read as gzip.
        let r = try reader(gz, name: "misnamed.mrt")
        #expect(r.compression == .gzip)
        #expect(try r.next() != nil)
    }
}
