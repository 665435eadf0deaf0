export { isSameOrigin, mountQueueBoard, QUEUE_BOARD_PATH, QUEUE_BOARD_SCOPE } from './queue-board';
