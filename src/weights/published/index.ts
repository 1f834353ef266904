/** Published PyTorch layouts (the authors' ECCV16 and SIGGRAPH17, torchvision's ResNet-18 and VGG-16) mapped onto the library's models. */
export * from './state-dict-mapping.js';
export * from './eccv16-mapper.js';
export * from './siggraph17-mapper.js';
export * from './resnet18-mapper.js';
export * from './vgg16-mapper.js';
export * from './published-architecture.js';
