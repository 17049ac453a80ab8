

module t_crc32(clock,crc_in,data,crc_out);
    
    // Module arguments
    input wire  clock;
    input wire  [31:0] crc_in;
    input wire  [7:0] data;
    output reg  [31:0] crc_out;
    
    // Stub signals
    reg  [31:0] crc$crc_in;
    reg  [7:0] crc$data;
    wire  [31:0] crc$crc_out;
    
    // Sub module instances
    t_crc32$crc crc(
        .crc_in(crc$crc_in),
        .data(crc$data),
        .crc_out(crc$crc_out)
    );
    
    // Update code
    always @(*) begin
        crc$crc_in = crc_in;
        crc$data = data;
        crc_out = crc$crc_out;
    end
    
endmodule // t_crc32


module t_crc32$crc(crc_in,data,crc_out);
    
    // Module arguments
    input wire  [31:0] crc_in;
    input wire  [7:0] data;
    output reg  [31:0] crc_out;
    
    // Constant declarations
    localparam  poly = 32'hedb88320;
    
    // Local signals
    reg  [31:0] s0;
    reg  [31:0] s1;
    reg  [31:0] s2;
    reg  [31:0] s3;
    reg  [31:0] s4;
    reg  [31:0] s5;
    reg  [31:0] s6;
    reg  [31:0] s7;
    
    // Update code
    always @(*) begin
        s0 = crc_in ^ ((data) & 32'hffffffff);
        s1 = s0 >> 32'h1;
        if (s0[32'h0]) begin
            s1 = (s0 >> 32'h1) ^ poly;
        end
        s2 = s1 >> 32'h1;
        if (s1[32'h0]) begin
            s2 = (s1 >> 32'h1) ^ poly;
        end
        s3 = s2 >> 32'h1;
        if (s2[32'h0]) begin
            s3 = (s2 >> 32'h1) ^ poly;
        end
        s4 = s3 >> 32'h1;
        if (s3[32'h0]) begin
            s4 = (s3 >> 32'h1) ^ poly;
        end
        s5 = s4 >> 32'h1;
        if (s4[32'h0]) begin
            s5 = (s4 >> 32'h1) ^ poly;
        end
        s6 = s5 >> 32'h1;
        if (s5[32'h0]) begin
            s6 = (s5 >> 32'h1) ^ poly;
        end
        s7 = s6 >> 32'h1;
        if (s6[32'h0]) begin
            s7 = (s6 >> 32'h1) ^ poly;
        end
        crc_out = s7 >> 32'h1;
        if (s7[32'h0]) begin
            crc_out = (s7 >> 32'h1) ^ poly;
        end
    end
    
endmodule // t_crc32$crc
