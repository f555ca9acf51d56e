import HeapModule

/// The `capacity` largest elements offered so far, on swift-collections' `Heap`: once full, an
/// offer larger than the smallest kept element replaces it.
struct LargestElements<Element: Comparable> {
    private var heap: Heap<Element>
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        heap = Heap(minimumCapacity: capacity)
    }

    var isFull: Bool { heap.count >= capacity }
    /// The smallest kept element (the k-th largest once full); nil when none is kept.
    var minimum: Element? { heap.min }
    /// The kept elements, in no particular order.
    var unordered: [Element] { heap.unordered }

    @inline(__always)
    mutating func offer(_ element: Element) {
        if heap.count < capacity {
            heap.insert(element)
        } else if let smallest = heap.min, smallest < element {
            heap.replaceMin(with: element)
        }
    }

    /// The kept elements, largest first.
    func sortedLargestFirst() -> [Element] { heap.unordered.sorted(by: >) }
}
