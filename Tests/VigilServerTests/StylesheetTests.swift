import Foundation
import Testing
import VigilTesting

/// The dashboard's colours meet WCAG 2 contrast for text (4.5:1) on its background, in light and dark:
/// the ratio computed here from the stylesheet's own variables with WCAG's formula.
@Suite(.ownThread) struct StylesheetTests {
    static var css: String {
        get throws {
            let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("Sources/VigilServer/Resources/vigil.css")
            return try String(contentsOf: url, encoding: .utf8)
        }
    }

    /// The `--name: #rrggbb` variables of one block of the stylesheet.
    static func variables(_ block: Substring) -> [String: (Double, Double, Double)] {
        var out: [String: (Double, Double, Double)] = [:]
        let pattern = /--([a-z-]+):\s*#([0-9a-fA-F]{6})/
        for m in block.matches(of: pattern) {
            let hex = Int(m.output.2, radix: 16) ?? 0
            out[String(m.output.1)] = (
                Double(hex >> 16 & 0xFF) / 255, Double(hex >> 8 & 0xFF) / 255, Double(hex & 0xFF) / 255
            )
        }
        return out
    }

    /// WCAG 2 relative luminance and contrast ratio.
    static func luminance(_ c: (Double, Double, Double)) -> Double {
        func lin(_ v: Double) -> Double { v <= 0.03928 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4) }
        return 0.2126 * lin(c.0) + 0.7152 * lin(c.1) + 0.0722 * lin(c.2)
    }

    static func contrast(_ a: (Double, Double, Double), _ b: (Double, Double, Double)) -> Double {
        let (x, y) = (luminance(a), luminance(b))
        return (max(x, y) + 0.05) / (min(x, y) + 0.05)
    }

    @Test("text, link, state and cause colours have at least 4.5:1 against the page, light and dark")
    func contrastRatios() throws {
        let css = try Self.css
        let dark = try #require(css.range(of: "@media (prefers-color-scheme: dark)"))
        let blocks = [("light", css[..<dark.lowerBound]), ("dark", css[dark.lowerBound...])]
        // A hand check of the formula: black on white is 21:1.
        #expect(abs(Self.contrast((0, 0, 0), (1, 1, 1)) - 21) < 0.001)
        for (name, block) in blocks {
            let v = Self.variables(block)
            let bg = try #require(v["bg"], "\(name): --bg")
            let panel = try #require(v["panel"], "\(name): --panel")
            let text = ["fg", "muted", "link", "up", "partial", "dark", "feed"]
            #expect(text.allSatisfy { v[$0] != nil }, "\(name): missing colours")
            for key in text {
                guard let c = v[key] else { continue }
                #expect(Self.contrast(c, bg) >= 4.5, "\(name) --\(key) on --bg: \(Self.contrast(c, bg))")
                #expect(Self.contrast(c, panel) >= 4.5, "\(name) --\(key) on --panel: \(Self.contrast(c, panel))")
            }
        }
    }
}
