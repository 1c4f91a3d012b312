"""The world the program runs against offline: a fake Alibaba Cloud (``fake_cloud``, ``fake_interconnect``), a fake
registered cluster (``fake_cluster``), and the snapshots and facts they are seeded from (``snapshot``,
``snapshot_check``, ``cloud_snapshot``, ``interconnect_snapshot``, ``address_facts``, ``node_index``)."""
