// Each class starts a server and a browser; on a 2-core machine they run one class at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
