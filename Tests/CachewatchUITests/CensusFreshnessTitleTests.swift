import CachewatchCore
import CachewatchUI
import XCTest

/// The families panel's title says what the picture is: a running pass's progress, or between passes how old the
/// complete picture is and when the next pass runs.
final class CensusFreshnessTitleTests: XCTestCase {
    private func familiesTitle(_ model: DashboardModel) -> String {
        let grid = DashboardRenderer.render(model: model, state: DashboardState(), width: 132, height: 43, glyphs: .unicode)
        return (0..<grid.height).map { grid.rowText($0) }.first { $0.contains("Families") } ?? ""
    }

    private func completeModel() -> DashboardModel {
        var model = Fixtures.model()
        model.census?.complete = true
        return model
    }

    func testBetweenPassesTheTitleSaysHowOldAndWhenNext() {
        var model = completeModel()
        model.censusProgress = CensusProgress(running: false, scannedKeys: 0, dbsizeKeys: 0, keysPerSecond: 0)
        model.censusProgress?.completedSecondsAgo = 130
        model.censusProgress?.nextPassInSeconds = 170
        XCTAssertTrue(familiesTitle(model).contains("complete 2m ago · next in 2m"), familiesTitle(model))
        // Due now or unknown: no `next in`.
        model.censusProgress?.nextPassInSeconds = nil
        let title = familiesTitle(model)
        XCTAssertTrue(title.contains("complete 2m ago · "), title)
        XCTAssertFalse(title.contains("next in"), title)
    }

    func testARunningPassShowsItsProgressAndACompletePassWithoutTimingStaysAsBefore() {
        XCTAssertTrue(familiesTitle(Fixtures.model()).contains("census 61% 1.10M/1.80M"), familiesTitle(Fixtures.model()))
        var model = completeModel()
        model.censusProgress = nil
        XCTAssertTrue(familiesTitle(model).contains("complete, "), familiesTitle(model))
    }
}
