import CachewatchCore
@testable import CachewatchUI
import XCTest

/// The crit banner says when the rate has already dropped below the threshold (hysteresis holding the level).
final class BannerTextTests: XCTestCase {
    func testBannerSaysClearingOnlyBelowTheThreshold() {
        var failOpen = FailOpenSummary(last1m: 212, state: .crit, critPerMinute: 50)
        let model = Fixtures.model(logState: .crit)
        let above = DashboardRenderer.bannerText(failOpen, model: model, glyphs: .unicode, width: 200)
        XCTAssertTrue(above.contains("212/min (crit ≥ 50)"), above)
        failOpen.last1m = 24
        let below = DashboardRenderer.bannerText(failOpen, model: model, glyphs: .unicode, width: 200)
        XCTAssertTrue(below.contains("24/min (crit ≥ 50, clearing)"), below)
    }
}
