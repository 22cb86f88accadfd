import CachewatchCore
@testable import CachewatchUI
import XCTest

/// The family detail view with a single key, a tiny share and TTLs of centuries (issue 8).
final class DetailBoundsTests: XCTestCase {
    private func detailText(_ family: FamilyReport, width: Int = 80, height: Int = 24) -> String {
        var model = Fixtures.model()
        model.census!.families.insert(family, at: 0)
        var state = DashboardState()
        state.detailPattern = family.pattern
        return DashboardRenderer.render(model: model, state: state, width: width, height: height, glyphs: .unicode).text()
    }

    private func family(keys: Int, share: Double, histogram: [TTLBucket] = []) -> FamilyReport {
        var family = Fixtures.model().census!.families[0]
        family.pattern = "lonely:{id}"
        family.keys = keys
        family.sampled = keys
        family.share = share
        family.ttlHistogram = histogram
        return family
    }

    func testOneKeyIsSingularAndATinyShareIsNeverZeroPercent() {
        let text = detailText(family(keys: 1, share: 1.0 / 1_800_000))
        XCTAssertTrue(text.contains("lonely:{id}  1 key (<0.1%)"), text)
        XCTAssertFalse(text.contains("1 keys"), text)
        XCTAssertFalse(text.contains("(0.0%)"), text)
        let many = detailText(family(keys: 2, share: 0.25))
        XCTAssertTrue(many.contains("2 keys (25.0%)"), many)
    }

    func testHumanizeShare() {
        XCTAssertEqual(Humanize.share(0), "0.0%")
        XCTAssertEqual(Humanize.share(0.0004), "<0.1%")
        XCTAssertEqual(Humanize.share(0.0005), "0.1%")
        XCTAssertEqual(Humanize.share(1), "100%")
    }

    func testYearsAreShortAndBounded() {
        XCTAssertEqual(Humanize.duration(364 * 86_400), "364d00h")
        XCTAssertEqual(Humanize.duration(365 * 86_400), "1y")
        XCTAssertEqual(Humanize.shortDuration(285 * 365 * 86_400 + 5), "285y")
        XCTAssertEqual(Humanize.shortDuration(9_000_000_000_000_000), ">999y")
        XCTAssertEqual(Humanize.duration(Double(Int64.max) / 1000), ">999y")
        XCTAssertEqual(Humanize.shortDuration(1e300), ">999y")
    }

    func testCenturiesOfTTLFoldIntoOneYearRow() {
        let histogram = [TTLBucket(upperSeconds: 1024, keys: 5), TTLBucket(upperSeconds: 33_554_432, keys: 1),
                         TTLBucket(upperSeconds: 67_108_864, keys: 2), TTLBucket(upperSeconds: 18_014_398_509_481_984, keys: 3),
                         TTLBucket(upperSeconds: nil, keys: 4)]
        XCTAssertEqual(DashboardRenderer.foldingYears(histogram),
                       [TTLBucket(upperSeconds: 1024, keys: 5), TTLBucket(upperSeconds: 33_554_432, keys: 1),
                        TTLBucket(upperSeconds: .infinity, keys: 5)])
        XCTAssertEqual(DashboardRenderer.bucketLabel(TTLBucket(upperSeconds: .infinity, keys: 5), glyphs: .unicode), "> 1y")
        XCTAssertEqual(DashboardRenderer.bucketLabel(TTLBucket(upperSeconds: .infinity, keys: 5), glyphs: .ascii), ">1y")
        let text = detailText(family(keys: 15, share: 0.5, histogram: histogram), width: 132, height: 43)
        XCTAssertTrue(text.contains("> 1y"), text)
        XCTAssertFalse(text.contains("208499983d"), text)
    }
}
