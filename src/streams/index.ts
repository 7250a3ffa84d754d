export {STREAM_CLASSES, allStreams, streamClass, streamInfo} from './registry';
