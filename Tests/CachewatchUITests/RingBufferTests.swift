import CachewatchCore
import XCTest

/// RingBuffer backs the header sparklines (one hour at 1 s); tested here with the UI that consumes it.
final class RingBufferTests: XCTestCase {
    func testKeepsTheNewestElementsOldestFirst() {
        var ring = RingBuffer<Double>(capacity: 3)
        XCTAssertTrue(ring.isEmpty)
        XCTAssertNil(ring.last)
        for v in 1...2 { ring.append(Double(v)) }
        XCTAssertEqual(ring.elements, [1, 2])
        for v in 3...7 { ring.append(Double(v)) }
        XCTAssertEqual(ring.elements, [5, 6, 7])
        XCTAssertEqual(ring.count, 3)
        XCTAssertEqual(ring.last, 7)
        ring.removeAll()
        XCTAssertEqual(ring.elements, [])
        ring.append(9)
        XCTAssertEqual(ring.elements, [9])
    }

    func testMemoryIsBoundedByCapacity() {
        var ring = RingBuffer<Int>(capacity: 3_600)
        for i in 0..<10_000 { ring.append(i) }
        XCTAssertEqual(ring.count, 3_600)
        XCTAssertEqual(ring.elements.first, 6_400)
        XCTAssertEqual(ring.elements.last, 9_999)
        XCTAssertEqual(RingBuffer<Int>(capacity: 0).capacity, 1)
    }
}
