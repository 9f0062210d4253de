"""One pool subentry in Home Assistant: its checks coordinator, flow and sensors."""
