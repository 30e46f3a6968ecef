delivery-broadcast-summary = Broadcast “{ $title }” is finished.
    Delivered: { $sent } of { $total }
    Not delivered: { $failed }
    Blocked the bot: { $blocked }
delivery-broadcast-reasons = Failure reasons:
