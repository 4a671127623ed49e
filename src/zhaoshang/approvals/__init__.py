"""全程代办 approval items on the clock: catalogue, plans, pauses, 容缺, 模拟审批, lights."""
